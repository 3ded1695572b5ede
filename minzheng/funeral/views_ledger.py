"""殡葬 ledgers: cemeteries and their plots, the grave clean-up campaigns and sites, the 殡葬协理员 per village."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.funeral import access, exports, forms, selectors, services, services_cleanup
from minzheng.funeral.models import Campaign, Cemetery, Plot
from minzheng.funeral.views import ERRORS, _errors, _user


def _cemetery(request: HttpRequest, pk: int) -> Cemetery:
    found = Cemetery.objects.filter(prefix_q("division_code", _user(request).jurisdiction[:6]), pk=pk).first()
    if found is None:
        raise Http404("公墓不存在")
    return found


@role_required(access.can_work)
def cemeteries(request: HttpRequest) -> HttpResponse:
    form = forms.CemeteryForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if not d["division_code"].startswith(_user(request).jurisdiction):
                messages.error(request, f"所在区划代码：{d['division_code']} 不在您的管辖范围内")
            else:
                try:
                    obj = services.cemetery_create(**d, actor=_user(request))
                except ERRORS as exc:
                    messages.error(request, str(exc))
                else:
                    return redirect("funeral:cemetery", pk=obj.pk)
        else:
            _errors(request, form)
    rows = selectors.cemetery_rows(request.user)
    return render(request, "funeral/cemeteries.html", {"rows": rows, "form": form, "states": Plot.State.choices})


@role_required(access.can_work)
def cemetery(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _cemetery(request, pk)
    form = forms.PlotsForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.plots_add(obj, **form.cleaned_data, actor=_user(request))
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已新增墓位 {n} 个")
                return redirect("funeral:cemetery", pk=obj.pk)
        else:
            _errors(request, form)
    state = request.GET.get("state", "")
    plots = obj.plots.select_related("burial", "burial__person").order_by("number")
    if state in Plot.State.values:
        plots = plots.filter(state=state)
    context = {
        "c": obj,
        "plots": plots[:500],
        "state": state,
        "states": Plot.State.choices,
        "form": form,
        "state_form": forms.PlotStateForm(),
    }
    return render(request, "funeral/cemetery.html", context)


@require_POST
@role_required(access.can_work)
def plot_state(request: HttpRequest, pk: int) -> HttpResponse:
    plot = Plot.objects.filter(pk=pk).select_related("cemetery").first()
    if plot is None:
        raise Http404("墓位不存在")
    _cemetery(request, plot.cemetery_id)  # 404 outside the jurisdiction
    form = forms.PlotStateForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.plot_set_state(plot, form.cleaned_data["to"], actor=_user(request), note=form.cleaned_data["note"])
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"墓位 {plot.number} 已改为「{plot.get_state_display()}」")
    return redirect("funeral:cemetery", pk=plot.cemetery_id)


def _campaigns(user: Any) -> Any:
    # A campaign is visible to whoever works inside its area (a town's officer sees the county's campaign).
    mine = user.jurisdiction
    return [
        c
        for c in Campaign.objects.order_by("-starts_on", "-pk")
        if mine.startswith(c.division_code) or c.division_code.startswith(mine)
    ]


@role_required(access.can_cleanup)
def cleanup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    campaign_form = forms.CampaignForm(request.POST if request.POST.get("form") == "campaign" else None)
    site_form = forms.SiteForm(request.POST if request.POST.get("form") == "site" else None)
    if request.method == "POST":
        try:
            if campaign_form.is_bound and campaign_form.is_valid():
                services_cleanup.campaign_create(**campaign_form.cleaned_data, actor=user)
                messages.success(request, "已新建整治行动")
                return redirect("funeral:cleanup")
            if site_form.is_bound and site_form.is_valid():
                d = site_form.cleaned_data
                campaign = next((c for c in _campaigns(user) if c.pk == d.pop("campaign")), None)
                if campaign is None:
                    raise Http404("整治行动不存在")
                services_cleanup.site_add(campaign, services_cleanup.Site(**d), actor=user)
                messages.success(request, "已登记整治点")
                return redirect("funeral:cleanup")
        except ERRORS as exc:
            messages.error(request, str(exc))
        for form in (campaign_form, site_form):
            if form.is_bound and form.errors:
                _errors(request, form)
    sites = access.sites_visible_to(user).select_related("campaign").order_by("action", "division_code", "pk")
    context = {
        "campaigns": _campaigns(user),
        "sites": sites[:500],
        "campaign_form": campaign_form,
        "site_form": site_form,
        "done_form": forms.SiteDoneForm(initial={"done_on": timezone.localdate()}),
    }
    return render(request, "funeral/cleanup.html", context)


@require_POST
@role_required(access.can_cleanup)
def site_done(request: HttpRequest, pk: int) -> HttpResponse:
    site = access.access_site(request.user, pk)
    form = forms.SiteDoneForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services_cleanup.site_done(site, **form.cleaned_data, actor=_user(request))
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记整治完成：{site.location}")
    return redirect("funeral:cleanup")


@role_required(access.can_cleanup)
def cleanup_export(request: HttpRequest) -> HttpResponse:
    name, data = exports.cleanup_xlsx(request.user, client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_read)
def assistants(request: HttpRequest) -> HttpResponse:
    form = forms.AssistantForm(request.POST or None)
    if request.method == "POST":
        if not access.can_work(request.user):
            raise Http404("没有这项操作")
        if form.is_valid():
            try:
                services_cleanup.assistant_appoint(**form.cleaned_data, actor=_user(request))
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已聘任殡葬协理员")
                return redirect("funeral:assistants")
        else:
            _errors(request, form)
    context = {
        "rows": selectors.assistant_rows(request.user),
        "missing": selectors.villages_without_assistant(request.user),
        "form": form if access.can_work(request.user) else None,
    }
    return render(request, "funeral/assistants.html", context)
