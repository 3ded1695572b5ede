"""一键核对 pages: the household panel with its button, the 核对报告 page and its PDF/XLSX downloads (v2_household)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.registry.access import access_household
from minzheng.verification import access, reports, services
from minzheng.verification.forms import HouseholdVerifyForm
from minzheng.verification.selectors import household_reports, latest_feed_day


def panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """The 一键核对 card on the household page; nothing for roles that may not verify."""
    if not access.can_verify_households(request.user):
        return HttpResponse("")
    household = access_household(request.user, household_id)
    if not access.can_verify_household(request.user, household):
        return HttpResponse("")
    form = HouseholdVerifyForm(initial={"as_of": latest_feed_day(timezone.localdate()) or timezone.localdate()})
    return _panel(request, household, form)


def _panel(request: HttpRequest, household: object, form: HouseholdVerifyForm, status: int = 200) -> HttpResponse:
    context = {
        "household": household,
        "form": form,
        "reports": household_reports(request.user, household),
        "latest_day": latest_feed_day(timezone.localdate()),
    }
    return render(request, "verification/_household_panel.html", context, status=status)


@require_POST
@role_required(access.can_verify_households)
def household_verify(request: HttpRequest, household_id: int) -> HttpResponse:
    household = access_household(request.user, household_id)
    form = HouseholdVerifyForm(request.POST)
    if not form.is_valid():
        # htmx swaps only 2xx answers: the panel comes back with the reasons next to the fields.
        return _panel(request, household, form, status=200 if request.htmx else 400)  # type: ignore[attr-defined]
    try:
        report = services.household_verify(
            actor=request.user,
            household=household,
            as_of=form.cleaned_data["as_of"],
            authorisation_ref=form.cleaned_data["authorisation_ref"],
            client_ip=client_ip(request),
        )
    except services.VerificationError as exc:
        form.add_error(None, str(exc))
        return _panel(request, household, form, status=200 if request.htmx else 400)  # type: ignore[attr-defined]
    url = reverse("verification:report", args=[report.pk])
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@role_required(access.can_verify_households)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(request.user, report_id)
    services.report_view(actor=request.user, report=report, client_ip=client_ip(request))
    return render(request, "verification/report.html", {"report": report, "view": reports.report_view(report)})


@role_required(access.can_verify_households)
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "xlsx"):
        raise Http404("没有这种格式")
    report = access.access_report(request.user, report_id)
    services.report_export(actor=request.user, report=report, fmt=fmt, client_ip=client_ip(request))
    if fmt == "pdf":
        body, content_type = reports.report_pdf(report), "application/pdf"
    else:
        body = reports.report_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.report_no}.{fmt}"'
    return response
