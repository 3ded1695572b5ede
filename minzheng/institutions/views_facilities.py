"""养老服务圈 pages: the facilities of the jurisdiction and each village's 15-minute coverage (straight-line
distance from the located elders' centre), with Excel export; town and county officers register facilities."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.institutions import access, params, selectors, services
from minzheng.institutions.forms import FacilityForm
from minzheng.institutions.services_facilities import FacilityError, facility_save
from minzheng.institutions.views import xlsx_response


@role_required(access.can_read_facilities)
def coverage(request: HttpRequest) -> HttpResponse:
    prefix = request.user.jurisdiction  # type: ignore[union-attr]
    villages = selectors.coverage_by_village(prefix)
    if request.GET.get("export") == "xlsx":
        cols = ["区划代码", "村（社区）", "已定位老人", "服务圈内老人", "距最近设施（米）", "覆盖情况"]
        data = [[v.code, v.name, v.elders_located, v.elders_covered, v.nearest_m, v.status] for v in villages]
        services.exported(actor=request.user, what="养老服务圈覆盖表", rows=len(data), client_ip=client_ip(request))  # type: ignore[arg-type]
        return xlsx_response(
            xlsx_bytes([Sheet("服务圈覆盖", cols, data)]), f"养老服务圈覆盖-{timezone.localdate():%Y%m%d}.xlsx"
        )
    only = request.GET.get("only", "")
    shown = [v for v in villages if not only or v.status == only]
    counts = {s: sum(1 for v in villages if v.status == s) for s in ("服务圈内", "服务圈外", "无定位数据")}
    radius = params.param_int(params.RADIUS, prefix.ljust(6, "0"), timezone.localdate())
    context = {
        "villages": shown, "counts": counts, "radius": radius, "only": only,
        "facilities": access.facilities_visible_to(request.user).order_by("division_code", "name"),
        "can_edit": access.can_supervise(request.user),
    }  # fmt: skip
    return render(request, "institutions/coverage.html", context)


@role_required(access.can_supervise)
def facility_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = access.access_facility(request.user, pk) if pk else None
    form = FacilityForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in FacilityForm.Meta.fields}
        try:
            facility_save(fields, actor=request.user, instance=instance, client_ip=client_ip(request))  # type: ignore[arg-type]
        except FacilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存养老服务设施")
            return redirect("institutions:coverage")
    title = "登记养老服务设施" if instance is None else f"修改 {instance.name}"
    return render(request, "institutions/form.html", {"form": form, "title": title})
