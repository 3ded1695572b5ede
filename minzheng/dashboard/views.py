"""民政大脑 pages: the board (drill-down by division), the 大屏, the JSON behind both, and the exports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.dashboard import exports, maps, selectors
from minzheng.dashboard.access import can_view
from minzheng.dashboard.services import last_refresh

SCREEN_REFRESH_SECONDS = 60
SCREEN_TILES = 12


def _context(request: HttpRequest) -> dict[str, Any]:
    data = selectors.board(request.user, request.GET.get("division"))
    kids = [(c.code, c.name) for c in data["children"]]
    data["payload"]["map"] = maps.layers(data["division"], kids, reverse("dashboard:board"))
    refreshed = last_refresh()
    data["refreshed"] = refreshed
    data["payload"]["refreshed"] = f"{refreshed.finished_at:%Y-%m-%d %H:%M}" if refreshed else ""
    return data


@role_required(can_view)
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/board.html", _context(request))


@role_required(can_view)
def screen(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    context["refresh_seconds"] = SCREEN_REFRESH_SECONDS
    # The wall shows a dozen headline numbers (the first two of each section); the rest are its charts.
    tiles: list[Any] = []
    for views in context["groups"].values():
        tiles += [v for v in views if v.total is not None][:2]
    context["tiles"] = tiles[:SCREEN_TILES]
    return render(request, "dashboard/screen.html", context)


@role_required(can_view)
def data(request: HttpRequest) -> JsonResponse:
    """The 大屏's periodic reload: the same payload as the page (codes, names, numbers only)."""
    return JsonResponse(_context(request)["payload"], json_dumps_params={"ensure_ascii": False})


def _audit(request: HttpRequest, what: str, division: str) -> None:
    audit_record(
        actor=request.user, action="export", object_type="dashboard", object_id=division,
        summary=f"导出民政大脑{what}（{division}）", client_ip=client_ip(request),
    )  # fmt: skip


@role_required(can_view)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    body = exports.board_xlsx(context)
    _audit(request, " Excel", context["division"])
    return exports.attachment(body, f"民政大脑-{context['division']}.xlsx", exports.XLSX)


@role_required(can_view)
def report_pdf(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    body = exports.monthly_pdf(context)
    _audit(request, "月报 PDF", context["division"])
    return exports.attachment(body, exports.report_name(context), "application/pdf")
