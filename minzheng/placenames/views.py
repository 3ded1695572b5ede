"""地名 pages: the register (list, detail, new), applications and their steps, signs and their checks,
standard addresses, Excel export, and the public lookup. Thin: access scopes (404 outside), services
write and audit, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import covers
from minzheng.core.sheets import xlsx_bytes
from minzheng.placenames import access, forms, selectors, services
from minzheng.placenames.models import Category, PlaceName, Sign
from minzheng.registry.models import Household
from minzheng.workflow.services import TransitionRefused, history

ERRORS = (services.PlaceNameError, TransitionRefused)
HEADER = ("地名代码", "标准名称", "专名", "通名", "罗马字母拼写", "类别", "所在区划代码", "所在地", "位置描述")
HEADER2 = ("状态", "批准机关", "批准时间", "批准文号", "公告日期", "保护名录")


def _form_errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


@role_required(access.can_read)
def place_list(request: HttpRequest) -> HttpResponse:
    q, category, status = (request.GET.get(k, "") for k in ("q", "category", "status"))
    rows = selectors.places(request.user, q, category, status)
    if request.GET.get("export") == "xlsx":
        return _export(request, list(rows))
    page = list(rows[:200])
    names = selectors.division_names({p.division_code for p in page})
    context = {"rows": [(p, names.get(p.division_code, "")) for p in page], "total": rows.count()}
    context.update(q=q, category=category, status=status, categories=Category.choices)
    context["statuses"] = PlaceName.Status.choices
    return render(request, "placenames/list.html", context)


def _export(request: HttpRequest, rows: list[PlaceName]) -> HttpResponse:
    names = selectors.division_names({p.division_code for p in rows})
    body = [
        [
            *(p.code, p.name, p.specific, p.generic, p.roman, p.get_category_display(), p.division_code),
            *(names.get(p.division_code, ""), p.location_text, p.get_status_display(), p.approved_by),
            *(p.approved_on or "", p.approval_no, p.announced_on or "", "是" if p.protected else ""),
        ]
        for p in rows
    ]
    audit_record(
        actor=request.user,
        action="export",
        object_type="place_name",
        summary=f"导出地名 {len(rows)} 条",
        client_ip=client_ip(request),
    )
    response = HttpResponse(
        xlsx_bytes([("地名", HEADER + HEADER2, body)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%9C%B0%E5%90%8D.xlsx"
    return response


@role_required(access.can_keep_register)
def place_new(request: HttpRequest) -> HttpResponse:
    form = forms.PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.NameData(**form.cleaned_data)
        try:
            _within(request, data.division_code)
            place = services.place_register(data, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记地名：{place.name}（{place.roman}）")
            return redirect("placenames:detail", pk=place.pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(request, "placenames/new.html", {"form": form})


def _within(request: HttpRequest, code: str) -> None:
    if not covers(request.user.jurisdiction, code.strip()):  # type: ignore[union-attr]
        raise services.PlaceNameError(f"区划“{code}”不在您的管辖范围内")


@role_required(access.can_read)
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = access.access_place(request.user, pk)
    context: dict[str, Any] = {"place": place, "changes": place.changes.order_by("-changed_on", "-pk")}
    context["signs"] = place.signs.order_by("pk")
    context["applications"] = place.applications.order_by("-pk") if access.can_work_applications(request.user) else []
    context["addresses"] = place.addresses.count()
    context["division"] = selectors.division_names({place.division_code}).get(place.division_code, "")
    context["sign_form"] = forms.SignForm()
    context["address_form"] = forms.AddressForm()
    return render(request, "placenames/detail.html", context)


@require_POST
@role_required(access.can_keep_register)
def sign_add(request: HttpRequest, pk: int) -> HttpResponse:
    place = access.access_place(request.user, pk)
    form = forms.SignForm(request.POST)
    if form.is_valid():
        try:
            services.sign_create(place, actor=request.user, client_ip=client_ip(request), **form.cleaned_data)  # type: ignore[arg-type]
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记地名标志")
    else:
        _form_errors(request, form)
    return redirect("placenames:detail", pk=place.pk)


@require_POST
@role_required(access.can_keep_register)
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    place = access.access_place(request.user, pk)
    form = forms.AddressForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("placenames:detail", pk=place.pk)
    household = Household.objects.filter(household_no=form.cleaned_data["household_no"].strip()).first()
    if household is None or not covers(request.user.jurisdiction, household.division_id):  # type: ignore[union-attr]
        messages.error(request, f"户编号“{form.cleaned_data['household_no']}”不在您的管辖范围内的居民库中")
        return redirect("placenames:detail", pk=place.pk)
    try:
        address = services.address_set(
            household,
            place,
            form.cleaned_data["door_no"],
            actor=request.user,  # type: ignore[arg-type]
            client_ip=client_ip(request),
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"户 {household.household_no} 的标准地址：{address.text}")
    return redirect("placenames:detail", pk=place.pk)


@role_required(access.can_work_applications)
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = access.applications_visible_to(request.user).order_by("-received_on", "-pk")
    final = services.FINAL_STATES
    qs = qs.exclude(status__in=final) if status == "open" else qs.filter(status__in=final)
    rows = [(a, services.machine_of(a).state_label(a.status)) for a in qs[:200]]
    return render(request, "placenames/applications.html", {"rows": rows, "status": status})


@role_required(access.can_keep_register)
def application_new(request: HttpRequest) -> HttpResponse:
    initial = {"division_code": request.user.jurisdiction, "place_code": request.GET.get("place", "")}  # type: ignore[union-attr]
    form = forms.ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        code = d.pop("place_code").strip().upper()
        try:
            _within(request, d["division_code"])
            place = access.places_visible_to(request.user).filter(code=code).first() if code else None
            if code and place is None:
                raise services.PlaceNameError(f"地名代码“{code}”不在您的管辖范围内的地名库中")
            app = services.application_receive(
                services.ApplicationData(**d, place=place),
                actor=request.user,  # type: ignore[arg-type]
                client_ip=client_ip(request),
            )
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已受理：{app.number}")
            return redirect("placenames:application", pk=app.pk)
    elif request.method == "POST":
        _form_errors(request, form)
    return render(request, "placenames/application_new.html", {"form": form})


@role_required(access.can_work_applications)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.access_application(request.user, pk)
    exclude = app.place.pk if app.place else None
    context: dict[str, Any] = {"app": app, "state": services.machine_of(app).state_label(app.status)}
    context["warnings"] = services.name_warnings(app.proposed_name, app.division_code, exclude=exclude)
    context["steps"] = selectors.steps_for(app, request.user)
    context["history"] = history(app)
    context["division"] = selectors.division_names({app.division_code}).get(app.division_code, "")
    return render(request, "placenames/application.html", context)


@require_POST
@role_required(access.can_work_applications)
def application_step(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.access_application(request.user, pk)
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("placenames:application", pk=app.pk)
    d = form.cleaned_data
    try:
        services.application_move(
            app,
            d["to"],
            actor=request.user,
            reason=d["reason"],
            fields=d,  # type: ignore[arg-type]
            client_ip=client_ip(request),
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已办理：{services.machine_of(app).state_label(app.status)}")
    return redirect("placenames:application", pk=app.pk)


@role_required(access.can_check_signs)
def sign_list(request: HttpRequest) -> HttpResponse:
    condition = request.GET.get("condition", "")
    qs = access.signs_visible_to(request.user).select_related("place").order_by("condition", "division_code", "pk")
    if condition in Sign.Condition.values:
        qs = qs.filter(condition=condition)
    context = {"rows": list(qs[:300]), "condition": condition, "conditions": Sign.Condition.choices}
    return render(request, "placenames/signs.html", context)


@role_required(access.can_check_signs)
def sign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sign = access.access_sign(request.user, pk)
    form = forms.SignCheckForm(request.POST or None, initial={"condition": sign.condition})
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_check(sign, actor=request.user, client_ip=client_ip(request), **form.cleaned_data)  # type: ignore[arg-type]
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已记录检查：{sign.get_condition_display()}")
            return redirect("placenames:sign", pk=sign.pk)
    return render(request, "placenames/sign.html", {"sign": sign, "form": form})


def public_lookup(request: HttpRequest) -> HttpResponse:
    """Anyone: standard names, their spelling, division and approval (no personal data is held here)."""
    q = request.GET.get("q", "")[:32]
    rows = selectors.public_places(q)
    names = selectors.division_names({p.division_code for p in rows})
    context = {"q": q, "rows": [(p, names.get(p.division_code, "")) for p in rows]}
    return render(request, "placenames/public.html", context)
