"""Activities (publish, attendance with distances, confirm hours) and the time bank (accounts,
transfers, draws as home-care orders): pages for social workers and town / county officers.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_id_number, mask_name
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.registry.models import Person
from minzheng.registry.services import number_lookup
from minzheng.volunteers import access, selectors, services, services_activity, services_timebank
from minzheng.volunteers.forms import ActivityForm, ConfirmForm, DrawForm, TransferForm
from minzheng.volunteers.models import Activity, Attendance, Entry, Station
from minzheng.volunteers.services import VolunteerError
from minzheng.volunteers.services_timebank import hours_text
from minzheng.volunteers.views import first_error, xlsx_response


@role_required(access.can_read)
def activities(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.activities_for(request.user), 30).get_page(request.GET.get("page"))
    scope = str(request.user.jurisdiction)  # type: ignore[union-attr]
    initial = {"division_code": scope if len(scope) >= 9 else "", "radius_m": 300}
    context = {"page": page, "writable": access.can_write(request.user), "form": ActivityForm(initial=initial)}
    return render(request, "volunteers/activities.html", context)


@require_POST
@role_required(access.can_write)
def activity_create(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:activities")
    d = form.cleaned_data
    station = Station.objects.filter(town_code=d["division_code"][:9]).first()
    try:
        act = services_activity.activity_create(actor=request.user, station=station, client_ip=client_ip(request), **d)  # type: ignore[arg-type]
    except VolunteerError as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:activities")
    messages.success(request, f"已发布活动 {act.title}")
    return redirect("volunteers:activity", pk=act.pk)


ATT_COLUMNS = ["志愿者编号", "姓名（脱敏）", "签到（手机时间）", "签到距离（米）", "签退（手机时间）", "签退距离（米）",
               "服务分钟", "确认分钟", "状态", "说明"]  # fmt: skip


def _att_cells(a: Attendance) -> list[object]:
    def t(x: object) -> str:
        return f"{timezone.localtime(x):%Y-%m-%d %H:%M}" if x else ""  # type: ignore[arg-type]

    return [a.volunteer.volunteer_no, mask_name(a.volunteer.person.name), t(a.in_client_at), a.in_distance_m,
            t(a.out_client_at), a.out_distance_m, a.minutes, a.confirmed_minutes, a.get_status_display(),
            a.note or a.in_reason or a.out_reason]  # fmt: skip


@role_required(access.can_read)
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    act = access.access_activity(request.user, pk)
    rows = selectors.attendance_rows(act)
    if request.GET.get("export") == "xlsx":
        name = f"志愿服务签到-{act.pk}-{timezone.localdate():%Y%m%d}.xlsx"
        services.exported(actor=request.user, what=f"活动 {act.title} 签到记录", name=name, rows=len(rows),  # type: ignore[arg-type]
                          filters={"activity": str(act.pk)}, client_ip=client_ip(request))  # fmt: skip
        return xlsx_response(xlsx_bytes([Sheet("签到记录", ATT_COLUMNS, [_att_cells(a) for a in rows])]), name)
    context = {
        "act": act,
        "rows": [{"a": a, "name": mask_name(a.volunteer.person.name)} for a in rows],
        "can_confirm": access.can_confirm(request.user, act),
        "writable": access.can_write(request.user),
        "confirm_form": ConfirmForm(),
        "total": sum(a.confirmed_minutes for a in rows),
    }
    return render(request, "volunteers/activity.html", context)


def _attendance(request: HttpRequest, pk: int, att_id: int) -> tuple[Activity, Attendance]:
    act = access.access_activity(request.user, pk)
    att = Attendance.objects.select_related("volunteer").filter(activity=act, pk=att_id).first()
    if att is None or not access.can_confirm(request.user, act):
        raise Http404("签到记录不存在")
    return act, att


@require_POST
@role_required(access.can_read)
def attendance_confirm(request: HttpRequest, pk: int, att_id: int) -> HttpResponse:
    act, att = _attendance(request, pk, att_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:activity", pk=act.pk)
    d, ip = form.cleaned_data, client_ip(request)
    try:
        if request.POST.get("reject"):
            services_activity.reject(att, actor=request.user, note=d["note"], client_ip=ip)  # type: ignore[arg-type]
            messages.success(request, f"已不予确认 {att.volunteer.volunteer_no} 的时长")
        else:
            att = services_activity.confirm(att, actor=request.user, minutes=d["minutes"], note=d["note"], client_ip=ip)  # type: ignore[arg-type]
            messages.success(request, f"已确认 {att.volunteer.volunteer_no} 服务 {hours_text(att.confirmed_minutes)}")
    except VolunteerError as exc:
        messages.error(request, str(exc))
    return redirect("volunteers:activity", pk=act.pk)


@require_POST
@role_required(access.can_write)
def activity_close(request: HttpRequest, pk: int) -> HttpResponse:
    act = access.access_activity(request.user, pk, write=True)
    if not access.can_confirm(request.user, act):
        raise Http404("活动不存在")
    services_activity.activity_close(act, actor=request.user, cancel=bool(request.POST.get("cancel")),  # type: ignore[arg-type]
                                     client_ip=client_ip(request))  # fmt: skip
    return redirect("volunteers:activity", pk=act.pk)


@role_required(access.can_read)
def accounts(request: HttpRequest) -> HttpResponse:
    qs = access.accounts_visible_to(request.user).select_related("person").order_by("-balance_minutes", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"acc": a, "name": mask_name(a.person.name), "id": mask_id_number(a.person.id_number),
             "balance": hours_text(a.balance_minutes)} for a in page]  # fmt: skip
    return render(request, "volunteers/accounts.html", {"page": page, "rows": rows})


def _entry(e: Entry) -> dict[str, object]:
    return {"e": e, "text": hours_text(e.minutes), "after": hours_text(e.balance_after)}


@role_required(access.can_read)
def account(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access.access_account(request.user, pk)
    services_timebank.account_read(acc, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    context = {
        "acc": acc,
        "name": mask_name(acc.person.name),
        "balance": hours_text(acc.balance_minutes),
        "entries": [_entry(e) for e in selectors.entries_of(acc)],
        "draws": acc.draws.select_related("order").order_by("-at")[:20],
        "writable": access.can_write(request.user),
        "transfer_form": TransferForm(),
        "draw_form": DrawForm(),
    }
    return render(request, "volunteers/account.html", context)


@require_POST
@role_required(access.can_write)
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access.access_account(request.user, pk, write=True)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:account", pk=acc.pk)
    d = form.cleaned_data
    ip = client_ip(request)
    if refused := number_lookup(actor=request.user, number=d["receiver"], purpose="时间银行转赠", client_ip=ip):  # type: ignore[arg-type]
        messages.error(request, refused)
        return redirect("volunteers:account", pk=acc.pk)
    receiver = Person.objects.filter(id_number=d["receiver"]).first()
    if receiver is None:
        messages.error(request, "转入人公民身份号码：户籍中没有此人")
        return redirect("volunteers:account", pk=acc.pk)
    try:
        t = services_timebank.transfer(
            actor=request.user, giver=acc, receiver=receiver, minutes=form.minutes, request_key=d["request_key"],  # type: ignore[arg-type]
            declared_relation=d["declared_relation"], evidence=d["evidence"], client_ip=ip,
        )  # fmt: skip
    except VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已转赠 {hours_text(t.minutes)}（{t.rule_text}）")
    return redirect("volunteers:account", pk=acc.pk)


@require_POST
@role_required(access.can_write)
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access.access_account(request.user, pk, write=True)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:account", pk=acc.pk)
    d = form.cleaned_data
    try:
        got = services_timebank.draw(actor=request.user, account=acc, item_codes=d["items"],  # type: ignore[arg-type]
                                     window_start=d["window_start"], client_ip=client_ip(request))  # fmt: skip
    except VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已兑换 {hours_text(got.minutes)}：居家养老订单 {got.order_id}，待派单")
    return redirect("volunteers:account", pk=acc.pk)
