"""一键核对（家庭经济状况核对）: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.access import require
from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.dates import DateInputError, parse_day
from minzheng.core.jurisdiction import prefix_q
from minzheng.jobs.models import Job
from minzheng.jobs.services import job_enqueue
from minzheng.registry.models import Person, Relation
from minzheng.verification import (
    access,
    review,  # noqa: F401 - binds MatchCandidate to its review machine
)
from minzheng.verification.batchrun import digest_key
from minzheng.verification.engine.matching import DEFAULT_THRESHOLD_WEIGHT, match_snapshot
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.models import BatchRun, MatchCandidate, WorklistItem
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused


def _checked_day(as_of: Any, error: type[Exception]) -> dt.date:
    """Every entry point (page, CLI, job) passes its 数据时点 here: 0001-01-01 is a Chinese refusal, not a 500."""
    try:
        return parse_day(as_of, "数据时点")
    except DateInputError as exc:
        raise error(str(exc)) from None


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


# --- batch re-check and worklist (v3_batch) --------------------------------------------------------
BATCH_JOB = "verification.batch"


@transaction.atomic
def batch_run_start(
    *,
    actor: Actor | None,
    as_of: dt.date,
    engine: str = BatchRun.Engine.DUCKDB,
    scope: str = BatchRun.Scope.BENEFICIARIES,
    jurisdiction: str | None = None,
    income_ratio: float | None = None,
    income_min_fen: int | None = None,
    client_ip: str = "",
) -> BatchRun:
    """Queue a batch re-check (the caller starts the job). A staff member's run covers their jurisdiction."""
    as_of = _checked_day(as_of, ValueError)
    if engine not in BatchRun.Engine.values:
        raise ValueError(f"未知的计算引擎：{engine}（可选 duckdb、spark）")
    if scope not in BatchRun.Scope.values:
        raise ValueError(f"未知的范围：{scope}")
    staff = actor if actor is not None and actor.is_authenticated else None
    prefix = staff.jurisdiction if staff is not None else (jurisdiction or "")
    run = BatchRun.objects.create(as_of=as_of, engine=engine, scope=scope, jurisdiction=prefix, created_by=staff)
    params: dict[str, Any] = {"run_id": run.pk}
    if income_ratio is not None:
        params["income_ratio"] = income_ratio
    if income_min_fen is not None:
        params["income_min_fen"] = income_min_fen
    run.job = job_enqueue(kind=BATCH_JOB, params=params, actor=actor)
    run.save(update_fields=["job"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="batch_run",
        object_id=run.pk,
        summary=f"启动批量复核（数据时点 {as_of}，{run.get_scope_display()}，{run.get_engine_display()}）",
        client_ip=client_ip,
        data={"as_of": as_of.isoformat(), "engine": engine, "scope": scope, "jurisdiction": prefix},
    )
    return run


@transaction.atomic
def batch_run_resume(*, actor: Actor | None, run: BatchRun) -> BatchRun:
    """Queue an interrupted run's job again: it resumes from its checkpoint."""
    if run.job_id is not None:
        Job.objects.filter(pk=run.job_id, status=Job.Status.FAILED).update(status=Job.Status.QUEUED, error="")
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.QUEUED, error="")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="batch_run",
        object_id=run.pk,
        summary=f"继续批量复核 {run.pk}（已完成 {run.partitions_done}/{run.partitions_total} 个分区）",
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def worklist_mark_handled(*, actor: Actor, item: WorklistItem, note: str = "", client_ip: str = "") -> WorklistItem:
    """待处理 → 已处理, with who, when and a note. Handling twice changes nothing."""
    if item.status == WorklistItem.Status.HANDLED:
        return item
    from django.utils import timezone

    item.status = WorklistItem.Status.HANDLED
    item.handled_by = actor
    item.handled_at = timezone.now()
    item.handled_note = note.strip()[:200]
    item.save(update_fields=["status", "handled_by", "handled_at", "handled_note"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="worklist_item",
        object_id=item.pk,
        summary=f"核对工作清单 {item.pk}（{item.get_kind_display()}）标记为已处理",
        reason=item.handled_note,
        client_ip=client_ip,
    )
    from minzheng.verification.items import worklist_row_handled

    worklist_row_handled(item)
    return item


def worklist_viewed(*, actor: Actor, items: list[WorklistItem], filters: dict[str, str], client_ip: str = "") -> None:
    """A page of the 核对工作清单 names residents and their changes: audited, item ids listed."""
    if not items:
        return
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="worklist_item",
        summary=f"查看核对工作清单 {len(items)} 条",
        client_ip=client_ip,
        data={"filters": filters, "items": [i.pk for i in items]},
    )


# --- Department feed deliveries (部门数据): v1_feeds ------------------------------------------------


def feed_store() -> FeedStore:
    """The installation's feed store (settings.FEEDS_DIR / "store")."""
    return FeedStore(settings.FEEDS_DIR / "store")


def feed_ingest(
    *,
    actor: Actor | None,
    feed_id: str,
    path: Any,
    as_of: dt.date,
    replace: bool = False,
    original_name: str | None = None,
    client_ip: str = "",
    progress: Any = None,
) -> Any:
    """Ingest one delivery into the feed store and record it (FeedDelivery + one audit row).

    The same file again returns its existing delivery and writes nothing (no row, no audit);
    a different file for a feed and date already held raises FeedError unless `replace`, which
    keeps the old snapshot under `replaced-<UTC>/` and marks the old delivery replaced.
    Raises `engine.ingest.FeedError` (Chinese message) when the file is refused.
    """
    from pathlib import Path

    from minzheng.verification.engine.ingest import FeedError, ingest_file

    as_of = _checked_day(as_of, FeedError)
    source = Path(path)
    # The files are written outside the transaction (progress stays visible to the page polling it);
    # the store's own rename makes them atomic, and a crash between the two is healed by a re-run:
    # the same file is then "unchanged" in the store and gets its missing delivery row here.
    result = ingest_file(
        feed_id, source, as_of, feed_store(), replace, source_name=original_name or source.name, progress=progress
    )
    delivery = _feed_delivery_record(actor=actor, result=result, as_of=as_of, client_ip=client_ip)
    if not result.unchanged:
        _lookup_index_build(result.feed, as_of)
    return delivery


def _lookup_index_build(feed_id: str, as_of: dt.date) -> None:
    """Build the one-household index now, so the first 一键核对 after a delivery does not pay for it.

    Outside the store's lock (the index takes it itself); derived data, so a failure here only
    means the first lookup builds it or falls back to DuckDB (ADR 0005).
    """
    from minzheng.verification.engine import lookup

    snap = feed_store().snapshot(feed_id, as_of)
    if snap is not None:
        lookup.index_for(snap)


@transaction.atomic
def _feed_delivery_record(*, actor: Actor | None, result: Any, as_of: dt.date, client_ip: str) -> Any:
    from minzheng.verification.models import FeedDelivery

    current = FeedDelivery.objects.filter(feed_id=result.feed, as_of=as_of, status=FeedDelivery.Status.CURRENT)
    same = current.filter(sha256=result.source_sha256).first()
    if result.unchanged and same is not None:
        same.unchanged = True  # for the caller's message; nothing was written
        return same
    delivery = FeedDelivery.objects.create(
        feed_id=result.feed,
        as_of=as_of,
        source_name=result.source_name[:255],
        sha256=result.source_sha256,
        encoding=result.encoding,
        rows=result.rows,
        accepted=result.accepted,
        rejected=result.rejected,
        snapshot_path=result.snapshot,
        rejects_path=result.rejects_file or "",
        ingested_by=actor if getattr(actor, "is_authenticated", False) else None,
        seconds=result.seconds,
    )
    old = list(current.exclude(pk=delivery.pk))
    current.exclude(pk=delivery.pk).update(
        status=FeedDelivery.Status.REPLACED, replaced=True, replaced_by=delivery, kept_at=result.replaced or ""
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="feed_delivery",
        object_id=delivery.pk,
        summary=(
            f"导入部门数据 {result.feed}（数据时点 {as_of.isoformat()}）：共 {result.rows} 行，"
            f"接收 {result.accepted}，拒收 {result.rejected}" + ("；替换了原有数据（已保留）" if old else "")
        ),
        client_ip=client_ip,
        data={
            "feed": result.feed,
            "as_of": as_of.isoformat(),
            "sha256": result.source_sha256,
            "source_name": delivery.source_name,
            "replaced_deliveries": [d.pk for d in old],
            "kept_at": result.replaced or "",
        },
    )
    delivery.unchanged = False
    return delivery


def feed_rejects_download(*, actor: Actor, delivery: Any, client_ip: str = "") -> Any:
    """The delivery's rejects file (personal data): audited as an export. Returns its path."""
    from pathlib import Path

    path = Path(delivery.rejects_path)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="feed_delivery",
        object_id=delivery.pk,
        summary=f"下载部门数据 {delivery.feed_id}（{delivery.as_of.isoformat()}）的错误行文件",
        client_ip=client_ip,
    )
    return path


def feed_restore(
    *, actor: Actor | None, feed_id: str, as_of: dt.date, replaced_name: str | None = None, client_ip: str = ""
) -> Any:
    """Bring back a snapshot a replace set aside (the newest, or `replaced_name`); the current one is kept in turn.

    Raises engine.ingest.FeedError (Chinese) when there is nothing to restore.
    """
    from minzheng.verification.engine.ingest import FeedError

    as_of = _checked_day(as_of, FeedError)
    store = feed_store()
    current = store.snapshot(feed_id, as_of)
    kept = current.replaced() if current else []
    names = [k.name for k in kept]
    if not kept or (replaced_name and replaced_name not in names):
        raise FeedError(
            f"{feed_id} 数据时点 {as_of.isoformat()} 没有可恢复的原数据"
            + (f"“{replaced_name}”；可恢复：{'、'.join(names)}" if replaced_name and names else "")
        )
    restored = store.restore(feed_id, as_of, replaced_name or names[-1])
    return _feed_restore_record(actor=actor, snapshot=restored, client_ip=client_ip)


@transaction.atomic
def _feed_restore_record(*, actor: Actor | None, snapshot: Any, client_ip: str) -> Any:
    from minzheng.verification.models import FeedDelivery

    m = snapshot.manifest
    same_day = FeedDelivery.objects.filter(feed_id=snapshot.feed_id, as_of=snapshot.as_of)
    back = same_day.filter(sha256=snapshot.sha256).order_by("-pk").first() or FeedDelivery(
        feed_id=snapshot.feed_id,
        as_of=snapshot.as_of,
        source_name=str(m.get("source_name", ""))[:255],
        sha256=snapshot.sha256,
        encoding=m.get("encoding", ""),
        rows=m["rows"],
        accepted=m["accepted"],
        rejected=m["rejected"],
        ingested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    back.status, back.replaced, back.replaced_by, back.kept_at = FeedDelivery.Status.CURRENT, False, None, ""
    back.snapshot_path = str(snapshot.data_path)
    back.rejects_path = str(snapshot.rejects_path or "")
    back.save()
    aside = str(snapshot.replaced()[-1]) if snapshot.replaced() else ""
    same_day.filter(status=FeedDelivery.Status.CURRENT).exclude(pk=back.pk).update(
        status=FeedDelivery.Status.REPLACED, replaced=True, replaced_by=back, kept_at=aside
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="feed_delivery",
        object_id=back.pk,
        summary=f"恢复部门数据 {snapshot.feed_id}（数据时点 {snapshot.as_of.isoformat()}）为文件“{back.source_name}”",
        client_ip=client_ip,
        data={"sha256": snapshot.sha256, "kept_at": aside},
    )
    return back


# --- 一键核对 and the 核对报告 (v2_household) ------------------------------------------------------


class VerificationError(ValueError):
    """A Chinese reason fit to show to the person who asked for the verification."""


def household_members(household: Any) -> pa.Table:
    """The household's registered members as the engine reads them (户主 first, by 与户主关系 code)."""
    rows = list(
        Person.objects.filter(household=household)
        .order_by("relation", "birth_date", "pk")
        .values_list("id_number", "name", "division_code", "birth_date")
    )
    ids, names, divisions, births = (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [], [])
    return pa.table(
        {
            "id_number": pa.array(ids, pa.string()),
            "name": pa.array(names, pa.string()),
            "household_no": pa.array([household.household_no] * len(ids), pa.string()),
            "division_code": pa.array(divisions, pa.string()),
            "birth_date": pa.array(births, pa.date32()),
        }
    )


def household_result(household: Any, as_of: dt.date) -> dict[str, Any]:
    """Run the one-household verification: the `--json` shape plus relations, snapshots used and seconds."""
    import time

    from minzheng.verification.engine import household as engine
    from minzheng.verification.selectors import confirmed_links

    as_of = _checked_day(as_of, VerificationError)
    started = time.perf_counter()
    members = household_members(household)
    if members.num_rows == 0:
        raise VerificationError(f"户 {household.household_no} 没有登记成员，无法核对")
    store = FeedStore(settings.FEEDS_DIR)
    links = confirmed_links(as_of=as_of)
    if links.num_rows:
        links = links.filter(pc.is_in(links["id_number"], members["id_number"]))
    result = engine.verify(store, members, as_of, digest_key=digest_key(), links=links)
    (shaped,) = engine.to_json(result, as_of)
    relations = dict(Person.objects.filter(household=household).values_list("id_number", "relation"))
    labels = dict(Relation.choices)
    for m in shaped["members"]:
        m["relation"] = labels.get(relations.get(m["id_number"], ""), "")
    shaped["snapshots"] = {
        feed: [s.as_of.isoformat() for s in engine.snapshots_for(store, feed, as_of)] for feed in store.feed_ids()
    }
    shaped["seconds"] = round(time.perf_counter() - started, 3)
    return shaped


def _report_no(household: Any, day: dt.date) -> str:
    """HD-<county>-<date of issue>-<sequence of the day in that county>."""
    from minzheng.verification.models import VerificationReport

    prefix = f"HD-{household.division_id[:6]}-{day:%Y%m%d}-"
    last = (
        VerificationReport.objects.filter(report_no__startswith=prefix)
        .order_by("-report_no")
        .values_list("report_no", flat=True)
        .first()
    )
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


def household_check(*, actor: Actor, household: Any, as_of: dt.date, client_ip: str = "") -> dict[str, Any]:
    """The verification without a report (CLI without --authorisation): audited as a query, nothing stored."""
    if actor is not None:
        require(access.can_verify_household(actor, household))
    shaped = household_result(household, as_of)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SEARCH,
        object_type="household",
        object_id=household.pk,
        summary=f"一键核对（未出具报告）户 {household.household_no}，数据时点 {as_of.isoformat()}",
        client_ip=client_ip,
        data={"as_of": as_of.isoformat(), "flags": shaped["totals"]["flags"]},
    )
    return shaped


@transaction.atomic
def household_verify(
    *, actor: Actor | None, household: Any, as_of: dt.date, authorisation_ref: str, client_ip: str = ""
) -> Any:
    """一键核对: verify the household against every feed on `as_of` and issue the 核对报告 (audited).

    Refused without a 核对授权书 reference: the platform may query a family's data only with its
    written authorisation (《社会救助暂行办法》第五十八条).
    """
    from minzheng.verification.models import VerificationReport

    if actor is not None:
        require(access.can_verify_household(actor, household))
    ref = " ".join((authorisation_ref or "").split())
    if not ref:
        raise VerificationError("请填写核对授权书编号：没有家庭成员签署的核对授权书，不能查询其部门数据")
    if len(ref) > 64:
        raise VerificationError("核对授权书编号不能超过 64 个字符")
    shaped = household_result(household, as_of)
    staff = getattr(actor, "is_authenticated", False)
    fields = {
        "household": household,
        "division_code": household.division_id,
        "as_of": as_of,
        "requested_by": actor if staff else None,
        "requested_by_name": (str(actor) if staff else "系统（命令行）")[:150],
        "authorisation_ref": ref,
        "members": shaped["totals"]["members"],
        "per_capita_income_fen": shaped["totals"]["per_capita_income_monthly_fen"],
        "flags": shaped["totals"]["flags"],
        "summary": shaped,
        "seconds": shaped["seconds"],
    }
    for attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: two requests may draw the same number at once
                report = VerificationReport.objects.create(
                    report_no=_report_no(household, timezone.localdate()), **fields
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="verification_report",
        object_id=report.pk,
        summary=f"一键核对 户 {household.household_no}（数据时点 {as_of.isoformat()}），"
        f"出具核对报告 {report.report_no}",
        reason=f"核对授权书 {ref}",
        client_ip=client_ip,
        data={"report_no": report.report_no, "household": household.household_no, "flags": report.flags},
    )
    return report


def report_view(*, actor: Actor, report: Any, client_ip: str = "") -> None:
    """Reading a 核对报告 is a detail read of every member's data: audited."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="verification_report",
        object_id=report.pk,
        summary=f"查看核对报告 {report.report_no}（户 {report.household.household_no}）",
        client_ip=client_ip,
    )


def report_export(*, actor: Actor, report: Any, fmt: str, client_ip: str = "") -> None:
    """Downloading a 核对报告 (PDF or XLSX) is an export: audited."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="verification_report",
        object_id=report.pk,
        summary=f"导出核对报告 {report.report_no}（{fmt.upper()}）",
        client_ip=client_ip,
        data={"format": fmt},
    )
