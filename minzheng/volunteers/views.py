"""社工站 and 志愿者 pages (town and county officers, social workers): thin views, access → services.

Activities and the time bank are in `views_activity.py`; the volunteer's phone pages in `views_phone.py`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.accounts.models import User
from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.registry.models import Person
from minzheng.registry.services import number_lookup
from minzheng.volunteers import access, certificate, selectors, services, stars
from minzheng.volunteers.forms import EditForm, LinkForm, RegisterForm, StationForm, VolunteerFilter, WorkerForm
from minzheng.volunteers.services import VolunteerError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def first_error(form: Any) -> str:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}：{errors[0]}" if label else str(errors[0])


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_read)
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    since = today.replace(month=1, day=1)
    rows = selectors.overview(request.user, since)
    context = {
        "rows": rows,
        "since": since,
        "can_manage": access.can_manage_stations(request.user),
        "form": StationForm(),
        "totals": {k: sum(getattr(r, k) for r in rows) for k in ("workers", "certified", "volunteers", "residents")},
    }
    return render(request, "volunteers/overview.html", context)


@require_POST
@role_required(access.can_manage_stations)
def station_create(request: HttpRequest) -> HttpResponse:
    form = StationForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:overview")
    d = form.cleaned_data
    if not d["town_code"].startswith(str(request.user.jurisdiction)[:9]):  # type: ignore[union-attr]
        messages.error(request, f"所在乡镇区划代码：{d['town_code']} 不在本账号管辖范围内")
        return redirect("volunteers:overview")
    try:
        station = services.station_create(actor=request.user, client_ip=client_ip(request), **d)  # type: ignore[arg-type]
    except VolunteerError as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:overview")
    return redirect("volunteers:station", pk=station.pk)


@role_required(access.can_read)
def station(request: HttpRequest, pk: int) -> HttpResponse:
    st = access.access_station(request.user, pk)
    context = {
        "station": st,
        "workers": selectors.workers_of(st),
        "labels": selectors.CASELOAD_LABELS,
        "activities": selectors.activities_for(request.user).filter(station=st)[:20],
        "can_manage": access.can_manage_stations(request.user),
        "form": WorkerForm(),
    }
    return render(request, "volunteers/station.html", context)


@require_POST
@role_required(access.can_manage_stations)
def worker_add(request: HttpRequest, pk: int) -> HttpResponse:
    st = access.access_station(request.user, pk, write=True)
    form = WorkerForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:station", pk=st.pk)
    d = form.cleaned_data
    username = d.pop("username")
    user = User.objects.filter(username=username).first() if username else None
    if username and user is None:
        messages.error(request, f"社工账号：没有账号 {username}")
        return redirect("volunteers:station", pk=st.pk)
    try:
        services.worker_add(actor=request.user, station=st, user=user, client_ip=client_ip(request), **d)  # type: ignore[arg-type]
    except VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记社工 {d['name']}")
    return redirect("volunteers:station", pk=st.pk)


EXPORT_COLUMNS = ["志愿者编号", "姓名（脱敏）", "公民身份号码（脱敏）", "电话（脱敏）", "区划代码", "服务技能",
                  "可服务时间", "在册"]  # fmt: skip


@role_required(access.can_read)
def volunteer_list(request: HttpRequest) -> HttpResponse:
    form = VolunteerFilter(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    found = selectors.volunteers_filtered(
        request.user, skill=d.get("skill") or "", village=d.get("village") or "", weekday=d.get("weekday")
    )
    if request.GET.get("export") == "xlsx":
        rows = [selectors.volunteer_row(v) for v in found]
        cells = [[r.no, r.name, r.id_number, r.phone, r.division_code, r.skills, r.availability,
                  "是" if r.active else "否"] for r in rows]  # fmt: skip
        name = f"志愿者名册-{timezone.localdate():%Y%m%d}.xlsx"
        filters = {k: v for k, v in request.GET.items() if k != "export"}
        services.exported(actor=request.user, what="志愿者名册", name=name, rows=len(cells), filters=filters,  # type: ignore[arg-type]
                          client_ip=client_ip(request))  # fmt: skip
        return xlsx_response(xlsx_bytes([Sheet("志愿者名册", EXPORT_COLUMNS, cells)]), name)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": [selectors.volunteer_row(v) for v in page],
        "page": page,
        "query": query.urlencode(),
        "count": len(found),
        "writable": access.can_write(request.user),
        "register": RegisterForm(),
    }
    return render(request, "volunteers/list.html", context)


@require_POST
@role_required(access.can_write)
def volunteer_register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:list")
    d = form.cleaned_data
    ip = client_ip(request)
    if refused := number_lookup(actor=request.user, number=d["id_number"], purpose="志愿者注册", client_ip=ip):  # type: ignore[arg-type]
        messages.error(request, refused)
        return redirect("volunteers:list")
    scope = str(request.user.jurisdiction)  # type: ignore[union-attr]
    person = Person.objects.filter(prefix_q("division_code", scope), id_number=d["id_number"]).first()
    if person is None:
        messages.error(request, "公民身份号码：本辖区户籍中没有此人")
        return redirect("volunteers:list")
    try:
        vol = services.volunteer_register(
            actor=request.user, person=person, skills=d["skills"], weekdays=d["weekdays"], periods=d["periods"],  # type: ignore[arg-type]
            phone=d["phone"], client_ip=ip,
        )  # fmt: skip
    except VolunteerError as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:list")
    messages.success(request, f"已注册志愿者 {vol.volunteer_no}")
    return redirect("volunteers:detail", pk=vol.pk)


@role_required(access.can_read)
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vol = access.access_volunteer(request.user, pk)
    services.volunteer_read(vol, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    initial = {"skills": vol.skills, "weekdays": vol.weekdays, "periods": vol.periods, "phone": vol.phone,
               "active": vol.active}  # fmt: skip
    nxt, missing = stars.next_level(vol)
    context = {
        "vol": vol,
        "row": selectors.volunteer_row(vol),
        "served": stars.served_minutes(vol),
        "recognitions": vol.recognitions.order_by("level"),
        "next_level": nxt,
        "missing_hours": missing,
        "stars_source": stars.levels()[1],
        "attendances": vol.attendances.select_related("activity").order_by("-in_at")[:50],
        "account": selectors.account_of(vol),
        "writable": access.can_write(request.user),
        "edit": EditForm(initial=initial),
        "link": LinkForm(),
    }
    return render(request, "volunteers/detail.html", context)


@require_POST
@role_required(access.can_write)
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    vol = access.access_volunteer(request.user, pk, write=True)
    form = EditForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("volunteers:detail", pk=vol.pk)
    try:
        services.volunteer_update(vol, actor=request.user, client_ip=client_ip(request), **form.cleaned_data)  # type: ignore[arg-type]
    except VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存")
    return redirect("volunteers:detail", pk=vol.pk)


@require_POST
@role_required(access.can_write)
def volunteer_link(request: HttpRequest, pk: int) -> HttpResponse:
    vol = access.access_volunteer(request.user, pk, write=True)
    form = LinkForm(request.POST)
    user = User.objects.filter(username=form.data.get("username", "")).first()
    if user is None:
        messages.error(request, "志愿者账号：没有此账号")
        return redirect("volunteers:detail", pk=vol.pk)
    try:
        services.volunteer_link_account(vol, user=user, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    except VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已关联账号 {user.username}")
    return redirect("volunteers:detail", pk=vol.pk)


def pdf_response(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_write)
def volunteer_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    vol = access.access_volunteer(request.user, pk, write=True)
    return pdf_response(*certificate.certificate_pdf(vol, actor=request.user, client_ip=client_ip(request)))  # type: ignore[arg-type]
