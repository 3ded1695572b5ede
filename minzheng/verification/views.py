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
from minzheng.verification import labels, selectors, services_matching
from minzheng.verification.models import MatchCandidate


@login_required
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """The 一键核对 panel on the registry's household page (loaded by htmx); empty for other roles."""
    from minzheng.verification import views_report

    return views_report.panel(request, household_id)


# --- 匹配复核 (identity matching review queue): v4_matching -------------------------------------------


@role_required(verification_access.can_review_matches)
def match_review(request: HttpRequest) -> HttpResponse:
    """Splink candidates side by side with the registry person; filter by feed and status (reads audited)."""
    feed_id = request.GET.get("feed", "")
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    if status not in MatchCandidate.Status.values and status != "":
        status = MatchCandidate.Status.PENDING
    page = Paginator(selectors.match_candidates(request.user, feed_id=feed_id, status=status), 30).get_page(
        request.GET.get("page")
    )
    candidates = list(page.object_list)
    filters = {"feed": feed_id, "status": status, "page": str(page.number)}
    services_matching.match_candidates_viewed(
        actor=request.user, candidates=candidates, filters=filters, client_ip=client_ip(request)
    )
    return render(
        request,
        "verification/match_review.html",
        {
            "page": page,
            "rows": [_candidate_view(c) for c in candidates],
            "feed": feed_id,
            "status": status,
            "statuses": MatchCandidate.Status.choices,
            "feeds": [(f, labels.feed_name(f), n) for f, n in selectors.match_feed_counts(request.user)],
            "levels": labels.LEVELS,
            "bulk_levels": labels.BULK_LEVELS,
            "bulk": _bulk_preview(request, feed_id),
            "query": urlencode({"feed": feed_id, "status": status}),
            "next_url": f"{request.path}?{urlencode({'feed': feed_id, 'status': status, 'page': page.number})}",
        },
    )


def _bulk_preview(request: HttpRequest, feed_id: str) -> dict[str, object] | None:
    """The count a bulk confirmation would take, shown before the reviewer types a reason and confirms."""
    level = labels.bulk_level(request.GET.get("bulk", ""))
    if level is None:
        return None
    ids, left = selectors.bulk_confirmable(request.user, min_weight=level.min_weight, feed_id=feed_id)
    return {"level": level, "count": len(ids), "left": left, "feed_name": labels.feed_name(feed_id) if feed_id else ""}


def _candidate_view(c: MatchCandidate) -> dict[str, object]:
    p = c.person
    return {
        "c": c,
        "feed_name": labels.feed_name(c.feed_id),
        "confidence": labels.confidence(c.match_weight),
        "probability": labels.probability_text(c.match_probability),
        "row_id_masked": mask_id_number(c.row_id_raw) if c.row_id_raw else "（无）",
        "person_id_masked": mask_id_number(p.id_number),
        "person": p,
        "address": " ".join(x for x in (p.household.division.name, p.household.grid_address) if x),
    }


@role_required(verification_access.can_review_matches)
def match_candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """One candidate on its own page (a link to send a colleague): a detail read, audited."""
    candidate = get_object_or_404(
        MatchCandidate.objects.select_related("person", "person__household__division", "reviewed_by"), pk=candidate_id
    )
    require(verification_access.can_review_candidate(request.user, candidate))
    services_matching.match_candidate_viewed(actor=request.user, candidate=candidate, client_ip=client_ip(request))
    return render(
        request, "verification/match_candidate.html", {"r": _candidate_view(candidate), "levels": labels.LEVELS}
    )


@role_required(verification_access.can_review_matches)
@require_POST
def match_decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """确认 or 否定 one candidate (audited), then back to the queue with the same filters."""
    candidate = get_object_or_404(MatchCandidate, pk=candidate_id)
    require(verification_access.can_review_candidate(request.user, candidate))
    decide = (
        services_matching.match_confirm if request.POST.get("decision") == "confirm" else services_matching.match_reject
    )
    try:
        done = decide(
            actor=request.user, candidate=candidate, reason=request.POST.get("reason", ""), client_ip=client_ip(request)
        )
    except services_matching.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"已{done.get_status_display()}：{labels.feed_name(done.feed_id)} 第 {done.row} 行 → {done.person.name}",
        )
    return redirect(_back(request))


@role_required(verification_access.can_review_matches)
@require_POST
def match_bulk_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm every pending candidate at or above a 把握度 step (count previewed, reason typed, audited)."""
    feed_id = request.POST.get("feed", "")
    level = labels.bulk_level(request.POST.get("level", ""))
    if level is None:
        messages.error(request, "请选择匹配把握度")
        return redirect(_back(request))
    try:
        expected = int(request.POST.get("expected", ""))
    except ValueError:
        messages.error(request, "请先预览将确认的条数")
        return redirect(_back(request))
    try:
        done = services_matching.match_confirm_bulk(
            actor=request.user,
            level=level,
            reason=request.POST.get("reason", ""),
            expected=expected,
            feed_id=feed_id,
            client_ip=client_ip(request),
        )
    except services_matching.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('verification:match_review')}?{urlencode({'feed': feed_id, 'bulk': level.key})}")
    left = f"；另有 {done['left']} 行有多个候选或已确认为他人，请逐条复核" if done["left"] else ""
    messages.success(request, f"已批量确认 {done['confirmed']} 条（把握度{level.label}及以上）{left}")
    return redirect(f"{reverse('verification:match_review')}?{urlencode({'feed': feed_id})}")


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    return back if back.startswith("/") and not back.startswith("//") else reverse("verification:match_review")
