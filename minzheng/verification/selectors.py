"""一键核对（家庭经济状况核对）: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from django.db.models import Count, QuerySet

from minzheng.core.jurisdiction import prefix_q
from minzheng.verification.models import MatchCandidate

# --- Identity matching (身份匹配): v4_matching ------------------------------------------------------

LINKS_SCHEMA = pa.schema(
    [
        ("feed", pa.string()),
        ("feed_as_of", pa.date32()),
        ("as_of", pa.date32()),  # the same date under the contract's name
        ("_row", pa.int64()),
        ("id_number", pa.string()),
        ("match_weight", pa.float64()),
    ]
)


def confirmed_links(feed_ids: list[str] | None = None, as_of: dt.date | None = None) -> pa.Table:
    """Confirmed (已确认) non-number matches as extra links for the evaluation.

    Columns: feed, feed_as_of (= as_of: the snapshot's date), _row, id_number, match_weight. `feed_ids`
    None = every feed; `as_of` keeps snapshots dated on or before it (the evaluation picks the
    snapshot it reads and joins on (feed, feed_as_of, _row)). Not scoped: the caller (household or
    batch verification) has already scoped the members these links can reach.
    """
    qs = MatchCandidate.objects.filter(status=MatchCandidate.Status.CONFIRMED)
    if feed_ids is not None:
        qs = qs.filter(feed_id__in=feed_ids)
    if as_of is not None:
        qs = qs.filter(as_of__lte=as_of)
    rows = list(
        qs.order_by("feed_id", "as_of", "row").values_list(
            "feed_id", "as_of", "row", "person__id_number", "match_weight"
        )
    )
    feed, snap, row, number, weight = (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [], [], [])
    return pa.table([feed, snap, snap, row, number, weight], schema=LINKS_SCHEMA)


def match_candidates(user: Any, *, feed_id: str = "", status: str = "pending") -> QuerySet[MatchCandidate]:
    """The review queue in the user's jurisdiction (by the candidate person's address), best first."""
    qs = MatchCandidate.objects.filter(prefix_q("division_code", user.jurisdiction)).select_related(
        "person", "person__household__division", "reviewed_by"
    )
    if feed_id:
        qs = qs.filter(feed_id=feed_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("feed_id", "-as_of", "row", "-match_weight", "pk")


def match_feed_counts(user: Any) -> list[tuple[str, int]]:
    """(feed id, pending candidates) for the queue's feed filter."""
    qs = MatchCandidate.objects.filter(
        prefix_q("division_code", user.jurisdiction), status=MatchCandidate.Status.PENDING
    )
    return list(qs.values_list("feed_id").annotate(n=Count("pk")).order_by("feed_id"))


# --- 核对报告 (v2_household) ---------------------------------------------------------------------------


def household_reports(user: Any, household: Any, limit: int = 5) -> list[Any]:
    """The household's latest reports the user may read, newest first."""
    from minzheng.verification.access import reports_visible_to

    return list(reports_visible_to(user).filter(household=household).select_related("requested_by")[:limit])


def reports_in_scope(user: Any, limit: int = 50) -> list[Any]:
    """The latest reports in the user's jurisdiction (for lists), newest first."""
    from minzheng.verification.access import reports_visible_to

    return list(reports_visible_to(user).select_related("household", "requested_by")[:limit])


# --- 部门数据 (feed deliveries): v1_feeds ------------------------------------------------------------


def feed_overview() -> list[dict[str, Any]]:
    """Every catalogue feed with its deliveries, newest 数据时点 first (current and replaced).

    Feed deliveries are county-wide department files, not residents: the page's role check
    (access.can_manage_feeds) is the whole scope.
    """
    from minzheng.verification.engine.catalogue import FEEDS
    from minzheng.verification.models import FeedDelivery

    by_feed: dict[str, list[FeedDelivery]] = {}
    for d in FeedDelivery.objects.select_related("ingested_by").order_by("feed_id", "-as_of", "-ingested_at", "-pk"):
        by_feed.setdefault(d.feed_id, []).append(d)
    return [{"feed": f, "deliveries": by_feed.get(f.id, [])} for f in FEEDS.values()]


def latest_feed_day(today: dt.date) -> dt.date | None:
    """The newest 数据时点 of any feed held, not after `today`: the date a caseworker means by “now”.

    Each feed is read at its newest snapshot on or before the date asked, so the newest date of all
    feeds uses every feed's latest delivery. None when no feed has been delivered yet.
    """
    from minzheng.verification.services import feed_store

    store = feed_store()
    days = [d for feed in store.feed_ids() for d in store.dates(feed) if d <= today]
    return max(days, default=None)


def bulk_confirmable(user: Any, *, min_weight: float, feed_id: str = "") -> tuple[list[int], int]:
    """Pending candidates in the user's jurisdiction at or above `min_weight` that bulk confirmation may take.

    Returns (candidate ids, best first; rows left for one-by-one review). A row with two candidates
    at or above the weight, or a row already confirmed to someone else, is left out: choosing
    between two people, or undoing a confirmation, stays a reviewer's decision.
    """
    pending = match_candidates(user, feed_id=feed_id, status=MatchCandidate.Status.PENDING).filter(
        match_weight__gte=min_weight
    )
    rows = list(pending.values_list("pk", "feed_id", "as_of", "row", "match_weight"))
    per_row: dict[tuple[str, dt.date, int], list[int]] = {}
    weights = {}
    for pk, feed, day, row, weight in rows:
        per_row.setdefault((feed, day, row), []).append(pk)
        weights[pk] = weight
    confirmed = set(
        MatchCandidate.objects.filter(
            status=MatchCandidate.Status.CONFIRMED, feed_id__in={k[0] for k in per_row}, row__in={k[2] for k in per_row}
        ).values_list("feed_id", "as_of", "row")
    )
    take = {ids[0] for key, ids in per_row.items() if len(ids) == 1 and key not in confirmed}
    left = sum(1 for key, ids in per_row.items() if len(ids) > 1 or key in confirmed)
    return sorted(take, key=lambda pk: (-weights[pk], pk)), left
