"""一键核对: pages. Thin: access + services + selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from minzheng.accounts.access import require
from minzheng.audit.services import client_ip
from minzheng.core.decorators import login_required, role_required
from minzheng.core.masking import mask_id_number
from minzheng.verification import access as verification_access
from minzheng.verification import selectors, services
from minzheng.verification.models import MatchCandidate


@login_required
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """The 一键核对 panel on the registry's household page (loaded by htmx); empty for other roles."""
    from minzheng.verification import views_report

    return views_report.panel(request, household_id)


# --- 匹配复核 (identity matching review queue): v4_matching -------------------------------------------


@role_required(verification_access.can_review_matches)
def match_review(request: HttpRequest) -> HttpResponse:
    """Splink candidates side by side with the registry person; filter by feed and status."""
    feed_id = request.GET.get("feed", "")
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    if status not in MatchCandidate.Status.values and status != "":
        status = MatchCandidate.Status.PENDING
    page = Paginator(selectors.match_candidates(request.user, feed_id=feed_id, status=status), 30).get_page(
        request.GET.get("page")
    )
    rows = [_candidate_view(c) for c in page.object_list]
    return render(
        request,
        "verification/match_review.html",
        {
            "page": page,
            "rows": rows,
            "feed": feed_id,
            "status": status,
            "statuses": MatchCandidate.Status.choices,
            "feeds": selectors.match_feed_counts(request.user),
            "query": urlencode({"feed": feed_id, "status": status}),
        },
    )


def _candidate_view(c: MatchCandidate) -> dict[str, object]:
    p = c.person
    return {
        "c": c,
        "row_id_masked": mask_id_number(c.row_id_raw) if c.row_id_raw else "（无）",
        "person_id_masked": mask_id_number(p.id_number),
        "person": p,
        "address": " ".join(x for x in (p.division_code, p.household.grid_address) if x),
    }


@role_required(verification_access.can_review_matches)
@require_POST
def match_decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """确认 or 否定 one candidate (audited), then back to the queue with the same filters."""
    candidate = get_object_or_404(MatchCandidate, pk=candidate_id)
    require(verification_access.can_review_candidate(request.user, candidate))
    decide = services.match_confirm if request.POST.get("decision") == "confirm" else services.match_reject
    try:
        done = decide(
            actor=request.user, candidate=candidate, reason=request.POST.get("reason", ""), client_ip=client_ip(request)
        )
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"已{done.get_status_display()}：{done.feed_id} 第 {done.row} 行 → {done.person.name}"
        )
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else reverse("verification:match_review")
    )
