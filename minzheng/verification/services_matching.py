"""身份匹配 and its review queue (匹配复核): matching runs, confirm / reject / bulk confirm, audited reads.

Split from services.py (one transaction, keyword-only actor=, audit rows, as there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.access import require
from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Person
from minzheng.verification import (
    access,
    review,  # noqa: F401 - binds MatchCandidate to its review machine
)
from minzheng.verification.batchrun import digest_key
from minzheng.verification.engine.matching import DEFAULT_THRESHOLD_WEIGHT, match_snapshot
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.models import MatchCandidate
from minzheng.verification.services import _checked_day
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused

# --- Identity matching (身份匹配) and its review queue: v4_matching --------------------------------


class MatchingError(ValueError):
    """A Chinese reason fit to show to the 核对中心 user."""


def registry_persons(prefix: str = "") -> pa.Table:
    """The registry as the matching engine reads it: id_number, name, birth_date, sex, division_code."""
    rows = Person.objects.filter(prefix_q("division_code", prefix)).values_list(
        "id_number", "name", "birth_date", "sex", "division_code"
    )
    columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
    names = ("id_number", "name", "birth_date", "sex", "division_code")
    types = (pa.string(), pa.string(), pa.date32(), pa.string(), pa.string())
    return pa.table({n: pa.array(c, t) for n, c, t in zip(names, columns, types, strict=True)})


def _row_facts(feed_id: str, row: dict[str, Any]) -> dict[str, str]:
    """The row's other cells as the reviewer reads them (Chinese column titles, money in 元)."""
    from minzheng.verification.engine import catalogue

    skip = {"_row", "id_number", "id_raw", "id_digest", "id_error", "name"}
    try:
        feed = catalogue.feed_get(feed_id)
        titles = {c.name: c.title for c in feed.columns}
        facts = {titles.get(k, k): catalogue._display(feed, k, v) for k, v in row.items() if k not in skip}
    except (KeyError, AttributeError):  # a feed the catalogue does not know: plain values
        facts = {k: "" if v is None else str(v) for k, v in row.items() if k not in skip}
    return facts


@transaction.atomic
def matching_run(
    *,
    actor: Actor | None,
    feed_id: str,
    as_of: dt.date,
    threshold_weight: float = DEFAULT_THRESHOLD_WEIGHT,
    registry: pa.Table | None = None,
) -> dict[str, Any]:
    """Match one snapshot to the registry and queue its Splink candidates for review.

    Idempotent: a candidate (feed, as_of, row, person) is stored once; a re-run refreshes the
    weight of pending ones, never touches reviewed ones, and drops pending ones it no longer finds.
    `registry`: `registry_persons(...)` read once by a caller matching several feeds in a row.
    """
    as_of = _checked_day(as_of, MatchingError)
    snapshot = FeedStore(settings.FEEDS_DIR).snapshot(feed_id, as_of)
    if snapshot is None:
        raise MatchingError(f"数据项 {feed_id} 没有数据时点 {as_of.isoformat()} 的快照：请先导入")
    rows = snapshot.read()
    if registry is None:
        registry = registry_persons(getattr(actor, "jurisdiction", "") or "")
    result = match_snapshot(
        rows,
        registry,
        feed=feed_id,
        as_of=as_of,
        digest_key=digest_key(),
        threshold_weight=threshold_weight,
    )
    counts: dict[str, int | float] = {**result.counts()}
    counts.update(_store_candidates(feed_id, as_of, rows, result.links))
    counts["seconds"] = round(result.seconds.get("total", 0.0), 3)
    audit_record(
        actor=actor,
        action="verification.matching_run",
        object_type="feed_snapshot",
        object_id=f"{feed_id}/{as_of.isoformat()}",
        summary=f"身份匹配 {feed_id} {as_of.isoformat()}：号码匹配 {counts['id']} 行，摘要匹配 "
        f"{counts['digest']} 行，待复核候选 {counts['queued']} 条",
        data=counts,
    )
    return {"feed": feed_id, "as_of": as_of.isoformat(), **counts}


def _store_candidates(feed_id: str, as_of: dt.date, rows: pa.Table, links: pa.Table) -> dict[str, int]:
    found = links.filter(pc.equal(links["method"], "splink")).to_pylist()
    persons = dict(
        Person.objects.filter(id_number__in={f["person_id_number"] for f in found}).values_list("id_number", "pk")
    )
    divisions = dict(Person.objects.filter(pk__in=persons.values()).values_list("pk", "division_code"))
    by_row = {
        r["_row"]: r
        for r in rows.filter(pc.is_in(rows["_row"], pa.array({f["_row"] for f in found}, pa.int64()))).to_pylist()
    }
    existing = {(c.row, c.person_id): c for c in MatchCandidate.objects.filter(feed_id=feed_id, as_of=as_of)}
    created, refreshed, keep = [], [], set()
    for f in found:
        pk = persons.get(f["person_id_number"])
        if pk is None:
            continue
        key = (f["_row"], pk)
        keep.add(key)
        old = existing.get(key)
        if old is None:
            row = by_row[f["_row"]]
            created.append(
                MatchCandidate(
                    feed_id=feed_id,
                    as_of=as_of,
                    row=f["_row"],
                    row_name=row.get("name") or "",
                    row_id_raw=(row.get("id_raw") or row.get("id_digest") or "")[:80],
                    row_facts=_row_facts(feed_id, row),
                    person_id=pk,
                    division_code=divisions[pk],
                    match_weight=f["match_weight"],
                    match_probability=f["match_probability"],
                    evidence=(f["evidence"] or "")[:200],
                )
            )
        elif old.status == MatchCandidate.Status.PENDING and old.match_weight != f["match_weight"]:
            old.match_weight, old.match_probability = f["match_weight"], f["match_probability"]
            old.evidence = (f["evidence"] or "")[:200]
            refreshed.append(old)
    MatchCandidate.objects.bulk_create(created, batch_size=500)
    MatchCandidate.objects.bulk_update(refreshed, ["match_weight", "match_probability", "evidence"], batch_size=500)
    stale = [c.pk for k, c in existing.items() if k not in keep and c.status == MatchCandidate.Status.PENDING]
    MatchCandidate.objects.filter(pk__in=stale).delete()
    return {
        "queued": len(created),
        "refreshed": len(refreshed),
        "dropped": len(stale),
        "pending": MatchCandidate.objects.filter(
            feed_id=feed_id, as_of=as_of, status=MatchCandidate.Status.PENDING
        ).count(),
    }


def _review(actor: Actor, candidate: MatchCandidate, status: str, reason: str, client_ip: str = "") -> MatchCandidate:
    require(access.can_review_candidate(actor, candidate))
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == status:
        raise MatchingError(f"该候选已是“{candidate.get_status_display()}”状态")
    _move(actor, candidate, status, reason.strip()[:200], client_ip)
    return candidate


def _move(actor: Actor, candidate: MatchCandidate, status: str, reason: str, client_ip: str = "") -> None:
    """The kernel moves it (machine `verification/review.py`, history row, compare-and-set)."""
    now = timezone.now()
    changes = {"reason": reason, "reviewed_by": actor, "reviewed_at": now, "updated_at": now}
    try:
        workflow.transition(candidate, status, actor=actor, reason=reason, changes=changes, client_ip=client_ip)
    except TransitionRefused as exc:
        raise MatchingError(f"候选 {candidate.pk}：{exc}") from exc


def _same_row(candidate: MatchCandidate) -> Any:
    return MatchCandidate.objects.filter(feed_id=candidate.feed_id, as_of=candidate.as_of, row=candidate.row).exclude(
        pk=candidate.pk
    )


@transaction.atomic
def match_confirm(*, actor: Actor, candidate: MatchCandidate, reason: str = "", client_ip: str = "") -> MatchCandidate:
    """已确认: the row belongs to this person; the row's other pending candidates are set aside (已否定)."""
    if _same_row(candidate).filter(status=MatchCandidate.Status.CONFIRMED).exists():
        from minzheng.verification.labels import feed_name

        raise MatchingError(f"{feed_name(candidate.feed_id)} 第 {candidate.row} 行已确认匹配到另一居民：请先否定那一条")
    candidate = _review(actor, candidate, MatchCandidate.Status.CONFIRMED, reason, client_ip)
    others = list(_same_row(candidate).filter(status=MatchCandidate.Status.PENDING).values_list("pk", flat=True))
    if others:  # most rows have one candidate: no UPDATE (a bulk confirmation runs this thousands of times)
        _set_aside(actor, candidate, others, client_ip)
    _audit_review(actor, candidate, "verification.match_confirm", "确认", client_ip, others)
    return candidate


def _set_aside(actor: Actor, candidate: MatchCandidate, others: list[int], client_ip: str) -> None:
    """The row's other pending candidates become 已否定, each through the kernel (history like any review)."""
    for other in _same_row(candidate).filter(pk__in=others).order_by("pk"):
        _move(actor, other, MatchCandidate.Status.REJECTED, "同一行已确认为另一居民", client_ip)


@transaction.atomic
def match_reject(*, actor: Actor, candidate: MatchCandidate, reason: str = "", client_ip: str = "") -> MatchCandidate:
    """已否定: the row is not this person (also withdraws an earlier confirmation)."""
    candidate = _review(actor, candidate, MatchCandidate.Status.REJECTED, reason, client_ip)
    _audit_review(actor, candidate, "verification.match_reject", "否定", client_ip, [])
    return candidate


@transaction.atomic
def match_confirm_bulk(
    *, actor: Actor, level: Any, reason: str, expected: int, feed_id: str = "", client_ip: str = ""
) -> dict[str, Any]:
    """Confirm every pending candidate in the actor's jurisdiction at or above one 把握度 step.

    Each candidate goes through `match_confirm`, so the same row's other candidates are set aside
    and each confirmation has its own audit row, as if confirmed one by one; one more row records
    the bulk decision (step, reason, every candidate id). All or nothing. `expected` is the count
    the reviewer saw in the preview: if the queue changed since, nothing is confirmed.
    """
    from minzheng.verification.labels import feed_name
    from minzheng.verification.selectors import bulk_confirmable

    require(access.can_review_matches(actor))
    reason = " ".join((reason or "").split())
    if not reason:
        raise MatchingError("批量确认须填写事由（如：已抽查核实其中 20 条，均为本人）")
    ids, left = bulk_confirmable(actor, min_weight=level.min_weight, feed_id=feed_id)
    if len(ids) != expected:
        raise MatchingError(f"待确认候选已有变化（预览时 {expected} 条，现在 {len(ids)} 条）：请重新预览后再确认")
    note = f"批量确认（把握度{level.label}及以上）：{reason}"
    for start in range(0, len(ids), 500):  # best first, read 500 at a time (no IN list of thousands)
        chunk = MatchCandidate.objects.in_bulk(ids[start : start + 500])
        for pk in ids[start : start + 500]:
            match_confirm(actor=actor, candidate=chunk[pk], reason=note, client_ip=client_ip)
    scope = feed_name(feed_id) if feed_id else "全部数据项"
    audit_record(
        actor=actor,
        action="verification.match_confirm_bulk",
        object_type="match_candidate",
        summary=f"批量确认匹配 {len(ids)} 条（{scope}，把握度{level.label}及以上，权重 ≥ {level.min_weight:g}）",
        reason=reason,
        client_ip=client_ip,
        data={"feed": feed_id, "level": level.key, "min_weight": level.min_weight, "candidates": ids, "left": left},
    )
    return {"confirmed": len(ids), "left": left}


def match_candidates_viewed(
    *, actor: Actor, candidates: list[MatchCandidate], filters: dict[str, str], client_ip: str = ""
) -> None:
    """A page of the review queue shows residents' names, masked numbers and households: audited, ids listed."""
    if not candidates:
        return
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="match_candidate",
        summary=f"查看匹配复核候选 {len(candidates)} 条",
        client_ip=client_ip,
        data={"filters": filters, "candidates": [c.pk for c in candidates]},
    )


def match_candidate_viewed(*, actor: Actor, candidate: MatchCandidate, client_ip: str = "") -> None:
    """One candidate's page (row beside resident) is a detail read: audited."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="match_candidate",
        object_id=candidate.pk,
        summary=f"查看匹配候选 {candidate.pk}（第 {candidate.row} 行 → 居民 {candidate.person_id}）",
        client_ip=client_ip,
    )


def _audit_review(actor: Actor, c: MatchCandidate, action: str, verb: str, client_ip: str, others: list[int]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="match_candidate",
        object_id=c.pk,
        summary=f"{verb}匹配：{c.feed_id} {c.as_of.isoformat()} 第 {c.row} 行（{c.row_name}）→ 居民 {c.person_id}"
        f"（权重 {c.match_weight:.1f}）",
        reason=c.reason,
        client_ip=client_ip,
        data={
            "feed": c.feed_id,
            "as_of": c.as_of.isoformat(),
            "row": c.row,
            "person": c.person_id,
            "match_weight": c.match_weight,
            "others_rejected": others,
        },
    )
