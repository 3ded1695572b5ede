"""居家养老 staff pages: hotline console, elders, assessments, orders, supervision, statements.

Thin: access (404 outside role or jurisdiction) + services + selectors. The caregiver's and the
family's phone pages are in views_door.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.dates import DateInputError, next_working_day, parse_day
from minzheng.core.decorators import role_required
from minzheng.divisions.models import Division
from minzheng.eldercare import access, orders, planning, selectors, services
from minzheng.eldercare.assessment import AssessmentInputError
from minzheng.eldercare.entitlements import entitlement
from minzheng.eldercare.exports import statement_export
from minzheng.eldercare.forms import (
    AssessmentForm,
    CaregiverForm,
    ElderEnrolForm,
    ElderLocationForm,
    FollowUpForm,
    OrderForm,
    ReasonForm,
    ResolveForm,
    StatementBuildForm,
)
from minzheng.eldercare.geocode import estimate_location
from minzheng.eldercare.lifecycle import TransitionError, allowed_from
from minzheng.eldercare.models import Caregiver, Elder, Order, OrderChannel, OrderStatus, Provider, Qualification
from minzheng.eldercare.services import EldercareError

Refused = (TransitionError, EldercareError, AssessmentInputError, LookupError)


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month", "").strip()
    try:
        return parse_day(f"{raw}-01", "月份") if raw else timezone.localdate().replace(day=1)
    except DateInputError as exc:
        messages.error(request, str(exc))
        return timezone.localdate().replace(day=1)


def default_service_day() -> dt.date:
    """The order forms' proposed date: the next working day after today (not a Saturday or a holiday)."""
    return next_working_day(timezone.localdate() + dt.timedelta(days=1))


# ------------------------------------------------------------------ hotline console


@role_required(access.can_use_hotline)
def hotline(request: HttpRequest) -> HttpResponse:
    return render(request, "eldercare/hotline.html", {"phone": request.GET.get("phone", "")})


def _profile_context(request: HttpRequest, elder: Elder, via: str, **extra: object) -> dict[str, object]:
    services.elder_view(actor=request.user, elder=elder, via=via, client_ip=client_ip(request))
    initial = {"day": default_service_day(), "start": dt.time(9, 0)}
    return {"p": selectors.elder_profile(elder), "order_form": OrderForm(initial=initial), **extra}


@role_required(access.can_use_hotline)
def hotline_lookup(request: HttpRequest) -> HttpResponse:
    """The pop-up: caller number → elder profile with entitlement, contacts, recent orders (htmx)."""
    phone = request.GET.get("phone", "").strip()
    elder = selectors.elder_by_phone(request.user, phone) if phone else None
    if elder is None:
        # An empty number (the lookup pressed before typing) is answered too, never a page error.
        return render(request, "eldercare/_profile.html", {"lookup_failed": True, "not_found": phone})
    return render(request, "eldercare/_profile.html", _profile_context(request, elder, "hotline", caller=phone))


def _warn_beyond_entitlement(request: HttpRequest, order: Order) -> None:
    """Tell the operator now that part of the order is self-paid (the fraud check flags it later)."""
    ent = entitlement(order.elder, timezone.localtime(order.window_start).date())
    left = ent.entitled_minutes - ent.used_minutes - (ent.booked_minutes - order.minutes)
    if not ent.problem and order.minutes > max(0, left):
        messages.warning(
            request,
            f"本单 {order.minutes} 分钟超出本月剩余应享时长 {max(0, left)} 分钟，超出部分不予补贴、由个人自付",
        )


@require_POST
@role_required(access.can_place_orders)
def order_place(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = access.access_elder(request.user, elder_id)
    form = OrderForm(request.POST)
    hotline_call = access.can_use_hotline(request.user)
    channel = OrderChannel.HOTLINE if hotline_call else OrderChannel.VILLAGE
    if form.is_valid():
        try:
            order = orders.order_place(
                actor=request.user,
                elder=elder,
                item_codes=[i.code for i in form.cleaned_data["items"]],
                window_start=form.cleaned_data["window_start"],
                window_end=form.window_end(),
                channel=channel,
                note=form.cleaned_data["note"],
                caller_phone=request.POST.get("caller", "")[:20],
                client_ip=client_ip(request),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已下单：订单 {order.pk}")
            _warn_beyond_entitlement(request, order)
            return redirect("eldercare:order", order_id=order.pk)
    context = _profile_context(request, elder, "order_form")
    context["order_form"] = form
    return render(request, "eldercare/_profile.html" if request.htmx else "eldercare/elder.html", context, status=400)


# ------------------------------------------------------------------ elders and assessments


@role_required(access.can_read_elders)
def elders(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    due_only = request.GET.get("due") == "1"
    rows = list(
        selectors.reassessments_due(request.user, today)[: selectors.LIST_LIMIT]
        if due_only
        else selectors.elder_search(request.user, q)
    )
    services.elders_list_view(actor=request.user, q=q, count=len(rows), due_only=due_only, client_ip=client_ip(request))
    return render(
        request,
        "eldercare/elders.html",
        {
            "q": q,
            "due_only": due_only,
            "can_write": access.can_write_elders(request.user),
            "rows": rows,
            "due": selectors.reassessments_due(request.user, today).count(),
            "today": today,
        },
    )


def _profile_order_form(request: HttpRequest) -> OrderForm | None:
    if not access.can_place_orders(request.user):
        return None
    return OrderForm(initial={"day": default_service_day(), "start": dt.time(9, 0)})


@role_required(access.can_write_elders)
def elder_new(request: HttpRequest) -> HttpResponse:
    from minzheng.core.idnumber import clean
    from minzheng.registry.access import persons_visible_to
    from minzheng.registry.services import number_lookup

    form = ElderEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refused = number_lookup(
            actor=request.user, number=data["id_number"], purpose="居家养老服务对象登记", client_ip=client_ip(request)
        )
        persons = persons_visible_to(request.user)
        person = None if refused else persons.filter(id_number=clean(data["id_number"])).first()
        if refused:
            form.add_error("id_number", refused)
        elif person is None:
            form.add_error("id_number", "本辖区居民库中没有这个身份号码")
        else:
            try:
                elder = services.elder_enrol(
                    actor=request.user, person=person, status=data["status"], phone=data["phone"],
                    address=data["address"], lat=data["lat"], lng=data["lng"], emergency_contacts=form.contacts(),
                    client_ip=client_ip(request),
                )  # fmt: skip
            except EldercareError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记服务对象 {person.name}，请完成能力评估")
                return redirect("eldercare:elder", elder_id=elder.pk)
    return render(request, "eldercare/elder_new.html", {"form": form}, status=400 if form.errors else 200)


@role_required(access.can_read_elders)
def elder_detail(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = access.access_elder(request.user, elder_id)
    family_url = request.build_absolute_uri(reverse("eldercare:family", args=[elder.family_token]))
    context = _profile_context(
        request,
        elder,
        "elder_page",
        assessments=list(elder.assessments.all()[:10]),
        family_url=family_url,
        can_assess=access.can_assess(request.user),
        can_order=access.can_place_orders(request.user),
        order_form=_profile_order_form(request),
        can_write=access.can_write_elders(request.user),
        reason_form=ReasonForm(),
        family_expires_at=elder.family_token_expires_at,
        family_expired=access.family_link_expired(elder),
        location_form=ElderLocationForm(initial={"lat": elder.lat, "lng": elder.lng}),
    )
    return render(request, "eldercare/elder.html", context)


@require_POST
@role_required(access.can_write_elders)
def elder_location(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Coordinates typed (or taken by the phone) or, with `estimate`, proposed from the village's located elders."""
    elder = access.access_elder(request.user, elder_id)
    if request.POST.get("estimate"):
        found = estimate_location(elder)
        if found is None:
            messages.error(
                request,
                "无法估算坐标：本村（社区）和本乡镇（街道）尚无已定位的服务对象或护理员。"
                "请上门时用手机定位后填写经纬度；在此之前可在订单页“指定护理员”派单。",
            )
            return redirect("eldercare:elder", elder_id=elder.pk)
        lat, lng, basis = found.lat, found.lng, found.basis
    else:
        form = ElderLocationForm(request.POST)
        if not form.is_valid():
            problems = [f"{form.fields[k].label}：{'、'.join(v)}" for k, v in form.errors.items()]
            messages.error(request, "；".join(problems))
            return redirect("eldercare:elder", elder_id=elder.pk)
        lat, lng, basis = form.cleaned_data["lat"], form.cleaned_data["lng"], "手工填写"
    try:
        ip = client_ip(request)
        services.elder_locate(actor=request.user, elder=elder, lat=lat, lng=lng, basis=basis, client_ip=ip)
    except EldercareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记住址坐标 {elder.lat}, {elder.lng}（{basis}）")
    return redirect("eldercare:elder", elder_id=elder.pk)


@require_POST
@role_required(access.can_write_elders)
def family_link_rotate(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = access.access_elder(request.user, elder_id)
    services.family_link_rotate(actor=request.user, elder=elder, client_ip=client_ip(request))
    messages.success(request, "已更换家属链接，原链接已作废；请把新链接发给家属")
    return redirect("eldercare:elder", elder_id=elder.pk)


@require_POST
@role_required(access.can_write_elders)
def elder_condition(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = access.access_elder(request.user, elder_id)
    try:
        services.elder_condition_changed(
            actor=request.user, elder=elder, note=request.POST.get("reason", ""), client_ip=client_ip(request)
        )
    except EldercareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录状况变化，需即时评估")
    return redirect("eldercare:elder", elder_id=elder.pk)


@role_required(access.can_assess)
def assess(request: HttpRequest, elder_id: int) -> HttpResponse:
    """GB/T 42195-2022 form on a phone; the result page names the level and every reason."""
    elder = access.access_elder(request.user, elder_id)
    initial = {"assessed_on": timezone.localdate(), "assessor_name": request.user.display_name}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.payload()
        try:
            record = services.assessment_record(
                actor=request.user,
                elder=elder,
                items=data["items"],
                coma=data["coma"],
                diagnoses=data["diagnoses"],
                risk_events=data["risk_events"],
                assessed_on=form.cleaned_data["assessed_on"],
                assessor_name=form.cleaned_data["assessor_name"],
                reason=form.cleaned_data["reason"],
                client_ip=client_ip(request),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "eldercare/assessment_result.html", {"elder": elder, "a": record})
    status = 400 if form.errors else 200
    return render(request, "eldercare/assess.html", {"elder": elder, "form": form}, status=status)


@role_required(access.can_read_elders)
def elder_bill(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = access.access_elder(request.user, elder_id)
    services.elder_view(actor=request.user, elder=elder, via="bill", client_ip=client_ip(request))
    return render(request, "eldercare/bill.html", {"bill": selectors.elder_bill(elder, _month(request))})


@role_required(access.can_read_providers)
def providers(request: HttpRequest) -> HttpResponse:
    """Providers with their service area on the grid, and their caregivers (qualifications, base, hours)."""
    rows = access.providers_for(request.user).prefetch_related("caregivers").order_by("division_code", "name")
    names = dict(
        Division.objects.filter(code__in={p.ljust(12, "0") for r in rows for p in r.service_area}).values_list(
            "code", "name"
        )
    )
    areas = {r.pk: "、".join(names.get(p.ljust(12, "0"), p) for p in r.service_area) for r in rows}
    context = {
        "rows": rows,
        "areas": areas,
        "Q": dict(Qualification.choices),
        "mine": set(access.providers_of(request.user)),
    }
    return render(request, "eldercare/providers.html", context)


@role_required(access.can_manage_caregivers)
def caregiver_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = access.providers_of(request.user).filter(pk=provider_id).first()
    access.require(provider is not None)
    form = CaregiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        caregiver = services.caregiver_create(
            actor=request.user, provider=provider, division_code=provider.division_code, **form.cleaned_data
        )
        messages.success(request, f"已登记护理员 {caregiver.name}")
        return redirect("eldercare:providers")
    context = {"form": form, "provider": provider}
    return render(request, "eldercare/caregiver_new.html", context, status=400 if form.errors else 200)


@role_required(access.can_read_catalogue)
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "eldercare/catalogue.html", {"items": selectors.catalogue()})


# ------------------------------------------------------------------ orders


@role_required(access.can_read_orders)
def orders_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.orders_list(
        request.user, status if status in OrderStatus.values else "", request.GET.get("division", "")
    )
    return render(request, "eldercare/orders.html", {"rows": rows, "status": status, "statuses": OrderStatus.choices})


def _order_context(request: HttpRequest, order: Order, **extra: object) -> dict[str, object]:
    user = request.user
    nexts = set(allowed_from(order.status))
    can_dispatch = access.can_dispatch(user) and OrderStatus.DISPATCHED in nexts
    return {
        "order": order,
        "lines": list(order.lines.select_related("item")),
        "photos": list(order.photos.all()),
        "transitions": list(order.transitions.select_related("actor")),
        "flags": list(order.flags.all()),
        "can_dispatch": can_dispatch,
        "located": order.elder.lat is not None and order.elder.lng is not None,
        "choices": selectors.dispatch_choices(user, order) if can_dispatch else [],
        "can_locate": access.can_write_elders(user),
        "Q": dict(Qualification.choices),
        "can_follow_up": access.can_follow_up(user) and OrderStatus.VISITED_BACK in nexts,
        "can_cancel": access.can_cancel(user) and OrderStatus.CANCELLED in nexts,
        "can_miss": access.can_cancel(user) and OrderStatus.MISSED in nexts,
        "follow_form": FollowUpForm(),
        "reason_form": ReasonForm(),
        **extra,
    }


@role_required(access.can_read_orders)
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_order(request.user, order_id)
    if access.is_caregiver(request.user):
        return redirect("eldercare:my_order", order_id=order.pk)
    services.order_view(actor=request.user, order=order, via="order_page", client_ip=client_ip(request))
    return render(request, "eldercare/order.html", _order_context(request, order))


def _order_action(request: HttpRequest, order_id: int, act: str) -> HttpResponse:
    order = access.access_order(request.user, order_id)
    ip = client_ip(request)
    try:
        if act == "dispatch":
            access.require(access.can_dispatch(request.user))
            order = orders.order_dispatch(
                actor=request.user, order=order, caregiver=_picked_caregiver(request, order), client_ip=ip
            )
            messages.success(request, f"已派单给 {order.caregiver.name}")
        elif act == "follow_up":
            access.require(access.can_follow_up(request.user))
            form = FollowUpForm(request.POST)
            if not form.is_valid():
                raise TransitionError("请填写回访结果和满意度")
            orders.order_follow_up(actor=request.user, order=order, client_ip=ip, **form.cleaned_data)
            messages.success(request, "已记录回访")
        else:
            access.require(access.can_cancel(request.user))
            service = orders.order_cancel if act == "cancel" else orders.order_miss
            service(actor=request.user, order=order, reason=request.POST.get("reason", ""), client_ip=ip)
            messages.success(request, "已取消订单" if act == "cancel" else "已记录未上门")
    except Refused as exc:
        messages.error(request, str(exc))
    if request.htmx:
        order.refresh_from_db()
        return render(request, "eldercare/order.html#detail", _order_context(request, order))
    return redirect("eldercare:order", order_id=order.pk)


def _picked_caregiver(request: HttpRequest, order: Order) -> Caregiver | None:
    """The caregiver chosen by hand (指定护理员), or None for the nearest; only from the offered list."""
    raw = request.POST.get("caregiver", "").strip()
    if not raw:
        return None
    chosen = next((c for c in selectors.dispatch_choices(request.user, order) if str(c.pk) == raw), None)
    if chosen is None:
        raise EldercareError("所选护理员不在可派范围内（须为服务本村的服务商在岗护理员，且具备所需资质）")
    return chosen


@require_POST
@role_required(access.can_read_orders)
def order_action(request: HttpRequest, order_id: int, act: str) -> HttpResponse:
    if act not in {"dispatch", "follow_up", "cancel", "miss"}:
        access.require(False)
    return _order_action(request, order_id, act)


# ------------------------------------------------------------------ supervision


@role_required(access.can_supervise)
def flags(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("all") != "1"
    rows = selectors.flags_list(request.user, open_only=open_only)
    return render(request, "eldercare/flags.html", {"rows": rows, "open_only": open_only, "form": ResolveForm()})


@require_POST
@role_required(access.can_supervise)
def flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = access.access_flag(request.user, flag_id)
    try:
        services.flag_resolve(
            actor=request.user, flag=flag, resolution=request.POST.get("resolution", ""), client_ip=client_ip(request)
        )
    except EldercareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "疑点已处理")
    return redirect("eldercare:flags")


# ------------------------------------------------------------------ statements


def _statement_providers(request: HttpRequest) -> QuerySet[Provider]:
    return access.providers_for(request.user).order_by("name")


@role_required(access.can_read_statements)
def statements(request: HttpRequest) -> HttpResponse:
    form = StatementBuildForm(request.POST or None, providers=_statement_providers(request))
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_build(
                actor=request.user, provider=form.cleaned_data["provider"], month=form.cleaned_data["month"]
            )
        except EldercareError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("eldercare:statement", statement_id=statement.pk)
    rows = selectors.statements_list(request.user)
    return render(
        request, "eldercare/statements.html", {"rows": rows, "form": form}, status=400 if form.errors else 200
    )


@role_required(access.can_read_statements)
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = access.access_statement(request.user, statement_id)
    services.statement_view(actor=request.user, statement=statement, client_ip=client_ip(request))
    rows = statement.orders.select_related("elder__person", "caregiver").order_by("window_start")
    context = {
        "s": statement,
        "rows": rows,
        "can_approve": access.can_approve_statements(request.user) and statement.status == statement.Status.DRAFT,
    }
    return render(request, "eldercare/statement.html", context)


@require_POST
@role_required(access.can_approve_statements)
def statement_approve(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = access.access_statement(request.user, statement_id)
    try:
        services.statement_approve(actor=request.user, statement=statement, client_ip=client_ip(request))
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "结算单已审核，订单已结算")
    return redirect("eldercare:statement", statement_id=statement.pk)


@role_required(access.can_read_statements)
def statement_download(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = access.access_statement(request.user, statement_id)
    path = statement_export(actor=request.user, statement=statement, client_ip=client_ip(request))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# ------------------------------------------------------------------ daily plan


def _plan_provider(request: HttpRequest) -> Provider | None:
    providers = access.providers_for(request.user).order_by("pk")
    chosen = request.GET.get("provider") or request.POST.get("provider") or ""
    return (providers.filter(pk=chosen).first() if chosen.isdigit() else None) or providers.first()


def _plan_day(request: HttpRequest) -> dt.date:
    raw = request.GET.get("day") or request.POST.get("day") or ""
    try:
        return parse_day(raw, "日期") if raw else default_service_day()
    except DateInputError as exc:
        messages.error(request, str(exc))
        return default_service_day()


@role_required(access.can_plan)
def plan(request: HttpRequest) -> HttpResponse:
    """Tomorrow's visits per caregiver: a list and a map-free route sketch (SVG of the route's shape)."""
    provider = _plan_provider(request)
    day = _plan_day(request)
    result = planning.day_plan(provider, day) if provider else None
    if request.method == "POST" and result is not None:
        count, skipped = planning.plan_apply(actor=request.user, day_plan_=result, client_ip=client_ip(request))
        messages.success(request, f"已按计划派单 {count} 单")
        if skipped:
            ids = "、".join(str(pk) for pk in skipped)
            messages.warning(request, f"订单 {ids} 与护理员已有订单时间冲突，未派，请重新计算或手动派单")
        return redirect(f"{reverse('eldercare:plan')}?day={day.isoformat()}&provider={provider.pk}")
    context = {"provider": provider, "day": day, "result": result, "providers": _statement_providers(request)}
    return render(request, "eldercare/plan.html", context)
