"""The volunteer's own phone pages: hours, stars, time bank, open activities, sign-in / sign-out.

Sign-in forms post with GPS and the phone's time (eldercare's door.js: the offline queue); the
distance to the activity's place is drawn by place.js before the volunteer taps, and stored by the
service with the sign-in. A volunteer's account sees its own record only (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.volunteers import access, certificate, selectors, stars
from minzheng.volunteers import services_activity as acts
from minzheng.volunteers.forms import SignForm
from minzheng.volunteers.models import Activity, Attendance
from minzheng.volunteers.services import VolunteerError
from minzheng.volunteers.services_timebank import hours_text


@role_required(access.is_volunteer)
def me(request: HttpRequest) -> HttpResponse:
    vol = access.own_volunteer(request.user)
    account = selectors.account_of(vol)
    nxt, missing = stars.next_level(vol)
    mine = {a.activity_id: a for a in vol.attendances.all()}
    context = {
        "vol": vol,
        "served": hours_text(stars.served_minutes(vol)),
        "balance": hours_text(account.balance_minutes) if account else "0 小时",
        "entries": selectors.entries_of(account, 10) if account else [],
        "recognitions": vol.recognitions.order_by("level"),
        "next_level": nxt,
        "missing_hours": missing,
        "activities": [{"act": a, "att": mine.get(a.pk)} for a in selectors.open_activities_near(vol)],
        "history": vol.attendances.select_related("activity").order_by("-in_at")[:20],
    }
    return render(request, "volunteers/me.html", context)


def _activity(request: HttpRequest, pk: int) -> tuple[object, Activity]:
    vol = access.own_volunteer(request.user)
    act = Activity.objects.filter(prefix_q("division_code", vol.division_code[:9]), pk=pk).first()
    if act is None:
        raise Http404("活动不存在")
    return vol, act


@role_required(access.is_volunteer)
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    vol, act = _activity(request, pk)
    att = Attendance.objects.filter(activity=act, volunteer=vol).first()
    context = {"vol": vol, "act": act, "att": att, "form": SignForm()}
    return render(request, "volunteers/phone_activity.html", context)


def _answer(request: HttpRequest, pk: int, ok: bool, text: str) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": ok, "error": "" if ok else text})
    (messages.success if ok else messages.error)(request, text)
    return redirect("volunteers:phone_activity", pk=pk)


@require_POST
@role_required(access.is_volunteer)
def sign(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    vol, act = _activity(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _answer(request, act.pk, False, "定位或手机时间格式不正确，请重试")
    d = form.cleaned_data
    kw = {"lat": d["lat"], "lng": d["lng"], "client_at": d["client_at"], "reason": d["reason"] or ""}
    try:
        if what == "in":
            att = acts.sign_in(actor=request.user, volunteer=vol, activity=act, client_ip=client_ip(request), **kw)  # type: ignore[arg-type]
            text = "已签到" + (f"，距活动地点 {att.in_distance_m} 米" if att.in_distance_m is not None else "")
        else:
            found = Attendance.objects.filter(activity=act, volunteer=vol).first()
            if found is None:
                return _answer(request, act.pk, False, "尚未签到，不能签退")
            att = acts.sign_out(actor=request.user, attendance=found, client_ip=client_ip(request), **kw)  # type: ignore[arg-type]
            text = f"已签退，服务 {hours_text(att.minutes)}，待组织者确认"
    except VolunteerError as exc:
        return _answer(request, act.pk, False, str(exc))
    return _answer(request, act.pk, True, text)


@role_required(access.is_volunteer)
def my_certificate(request: HttpRequest) -> HttpResponse:
    """The volunteer's own 志愿服务记录证明, free (Art 19)."""
    from minzheng.volunteers.views import pdf_response

    vol = access.own_volunteer(request.user)
    return pdf_response(*certificate.certificate_pdf(vol, actor=request.user, client_ip=client_ip(request)))  # type: ignore[arg-type]
