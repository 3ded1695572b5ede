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
from minzheng.jobs.models import Job
from minzheng.jobs.services import job_enqueue
from minzheng.registry.models import Person, Relation
from minzheng.verification import access
from minzheng.verification.batchrun import digest_key
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.models import BatchRun


def _checked_day(as_of: Any, error: type[Exception]) -> dt.date:
    """Every entry point (page, CLI, job) passes its 数据时点 here: 0001-01-01 is a Chinese refusal, not a 500."""
    try:
        return parse_day(as_of, "数据时点")
    except DateInputError as exc:
        raise error(str(exc)) from None


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


def worklist_viewed(*, actor: Actor, items: list[Any], filters: dict[str, str], client_ip: str = "") -> None:
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
