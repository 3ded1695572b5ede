"""政策目录与资格判定: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.rules import approvals
from minzheng.rules.models import Parameter, ParameterChange
from minzheng.rules.paramfile import KEY_RE, ParamFileError, ParamRecord, exact_value, parse_file, parse_region
from minzheng.workflow import services as workflow


class RulesError(ValueError):
    """A refused write; the message is Chinese and names the field and the reason."""


def _user(actor: Actor | None) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@dataclass
class ParamImportResult:
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    keys: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_FIELDS = ("value", "value_type", "unit", "description", "reference")


def _upsert(record: ParamRecord, *, actor: Actor | None, approved_by: Any = None) -> str:
    """'created' | 'updated' | 'unchanged' for one dated regional value."""
    existing = Parameter.objects.filter(
        key=record.key, region_code=record.region_code, effective_from=record.effective_from
    ).first()
    values = {f: getattr(record, f) for f in _FIELDS}
    if existing is None:
        Parameter.objects.create(
            key=record.key,
            region_code=record.region_code,
            effective_from=record.effective_from,
            recorded_by=_user(actor),
            approved_by=_user(approved_by),
            **values,
        )
        return "created"
    if all(getattr(existing, f) == v for f, v in values.items()):
        return "unchanged"
    for f, v in values.items():
        setattr(existing, f, v)
    existing.recorded_by, existing.approved_by = _user(actor), _user(approved_by)
    existing.save()
    return "updated"


@transaction.atomic
def params_import(*, actor: Actor | None, path: Path, client_ip: str = "") -> ParamImportResult:
    """Import a parameter file (minzheng or OpenFisca YAML). Any error refuses the whole file.

    A file is a reviewed artefact (git, 文件依据), so its values take effect directly; changes made
    on the admin page go through ParameterChange and a second person instead. Re-importing the same
    file changes nothing.
    """
    records = parse_file(Path(path))  # raises ParamFileError listing every problem
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for record in records:
        counts[_upsert(record, actor=actor)] += 1
    result = ParamImportResult(file=Path(path).name, rows=len(records), keys=sorted({r.key for r in records}), **counts)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="parameter",
        object_id=Path(path).name,
        summary=f"导入政策参数 {result.rows} 条：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}",
        client_ip=client_ip,
        data=result.as_dict(),
    )
    return result


@transaction.atomic
def params_load_shipped(*, actor: Actor | None = None) -> dict[str, int]:
    """Every parameter file the project ships (national defaults, home care, meals), for `migrate`.

    Only rows the database does not have yet (key, region, date) are added: running it again adds
    nothing, and a value an installation changed through the reviewed path is never overwritten.
    One audit row per file that added anything.
    """
    from minzheng.rules.engine import shipped_param_files

    totals = {"files": 0, "rows": 0, "created": 0}
    for path in shipped_param_files():
        records = parse_file(path)
        created = 0
        for record in records:
            exists = Parameter.objects.filter(
                key=record.key, region_code=record.region_code, effective_from=record.effective_from
            ).exists()
            if not exists:
                _upsert(record, actor=actor)
                created += 1
        totals["files"] += 1
        totals["rows"] += len(records)
        totals["created"] += created
        if created:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                object_type="parameter",
                object_id=path.name,
                summary=f"载入内置政策参数 {path.parent.parent.name}/{path.name}：新增 {created} 条",
                data={"file": str(path.relative_to(path.parents[2])), "rows": len(records), "created": created},
            )
    return totals


def _clean_change(data: dict[str, Any]) -> dict[str, Any]:
    """Check a proposed value; RulesError naming the field."""
    key = str(data.get("key") or "").strip()
    if not KEY_RE.match(key):
        raise RulesError(f"参数键“{key}”应为小写英文加点，如 dibao.standard")
    try:
        region = parse_region(data.get("region_code"))
    except ValueError as exc:
        raise RulesError(f"区划代码：{exc}") from None
    effective_from = data.get("effective_from")
    if not isinstance(effective_from, dt.date):
        raise RulesError("起始日期应为 YYYY-MM-DD")
    try:
        value, value_type = exact_value(data.get("value"))
    except ValueError as exc:
        raise RulesError(f"取值：{exc}") from None
    if not str(data.get("reference") or "").strip():
        raise RulesError("依据：请填写文件名称或文号（每个法定数字都要有来源）")
    return {
        "key": key,
        "region_code": region,
        "effective_from": effective_from,
        "value": value,
        "value_type": value_type,
        "unit": str(data.get("unit") or "").strip(),
        "description": str(data.get("description") or "").strip(),
        "reference": str(data.get("reference") or "").strip(),
        "reason": str(data.get("reason") or "").strip(),
    }


@transaction.atomic
def param_change_propose(*, actor: Actor, data: dict[str, Any], client_ip: str = "") -> ParameterChange:
    """Maker: record a proposed value. Nothing takes effect until another person approves it."""
    fields = _clean_change(data)
    _within(actor, fields["region_code"])
    current = Parameter.objects.filter(
        key=fields["key"], region_code=fields["region_code"], effective_from=fields["effective_from"]
    ).first()
    if current is not None and current.value == fields["value"] and current.reference == fields["reference"]:
        raise RulesError(f"取值：{fields['key']} 在该区划、该日期已是 {current.value}，无需调整")
    if not fields["unit"] or not fields["description"]:
        template = Parameter.objects.filter(key=fields["key"]).order_by("-effective_from").first()
        if template is not None:
            fields["unit"] = fields["unit"] or template.unit
            fields["description"] = fields["description"] or template.description
    change = ParameterChange.objects.create(
        proposed_by=actor, previous_value=current.value if current else "", **fields
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="parameter_change",
        object_id=change.pk,
        summary=f"提出参数调整 {change.key}（{change.region_code or '全国'}，{change.effective_from} 起）"
        f"→ {change.value}",
        reason=change.reason,
        client_ip=client_ip,
        data={k: str(v) for k, v in fields.items()},
    )
    workflow.start(change, actor=actor, client_ip=client_ip)  # the maker's entry into 待审核: four eyes reads it
    return change


def _within(actor: Actor, region_code: str) -> None:
    """Staff change parameters of their own jurisdiction only (the CLI, actor None, is the installation)."""
    from minzheng.rules.access import may_set_region

    if getattr(actor, "is_authenticated", False) and not may_set_region(actor, region_code):
        where = region_code or "全国"
        raise RulesError(f"区划代码：{where} 超出您的管辖范围（{actor.jurisdiction}），不能调整该地参数")


def _pending(change: ParameterChange, actor: Actor) -> ParameterChange:
    locked = ParameterChange.objects.select_for_update().get(pk=change.pk)
    _within(actor, locked.region_code)
    if locked.status != ParameterChange.Status.PENDING:
        raise RulesError(f"调整申请 {locked.pk} 的状态是“{locked.get_status_display()}”，不能再审核")
    return locked


@transaction.atomic
def param_change_approve(*, actor: Actor, change: ParameterChange, note: str = "", client_ip: str = "") -> Parameter:
    """Checker: a different user approves; the value becomes a Parameter row and takes effect."""
    locked = _pending(change, actor)
    # Four eyes and the proposer's independence: the kernel, machine in rules/approvals.py.
    approvals.decide(locked, "approved", actor=actor, note=note.strip(), now=timezone.now(), client_ip=client_ip)
    record = ParamRecord(
        key=locked.key,
        region_code=locked.region_code,
        effective_from=locked.effective_from,
        value=locked.value,
        value_type=locked.value_type,
        unit=locked.unit,
        description=locked.description,
        reference=locked.reference,
    )
    outcome = _upsert(record, actor=locked.proposed_by, approved_by=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="parameter_change",
        object_id=locked.pk,
        summary=f"审核通过参数调整 {locked.key}（{locked.region_code or '全国'}，{locked.effective_from} 起）"
        f"：{locked.previous_value or '无'} → {locked.value}",
        reason=locked.decision_note,
        client_ip=client_ip,
        data={"decision": "approved", "outcome": outcome, "proposed_by": locked.proposed_by.username},
    )
    change.refresh_from_db()
    return Parameter.objects.get(key=locked.key, region_code=locked.region_code, effective_from=locked.effective_from)


@transaction.atomic
def param_change_reject(*, actor: Actor, change: ParameterChange, note: str, client_ip: str = "") -> ParameterChange:
    if not note.strip():
        raise RulesError("审核意见：驳回须写明理由")
    locked = _pending(change, actor)
    approvals.decide(locked, "rejected", actor=actor, note=note.strip(), now=timezone.now(), client_ip=client_ip)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="parameter_change",
        object_id=locked.pk,
        summary=f"驳回参数调整 {locked.key}（{locked.region_code or '全国'}）→ {locked.value}",
        reason=locked.decision_note,
        client_ip=client_ip,
        data={"decision": "rejected"},
    )
    change.refresh_from_db()
    return change


# ---------------------------------------------------------------- eligibility


def household_eligibility(
    *, actor: Actor | None, household: Any, as_of: dt.date, client_ip: str = ""
) -> dict[str, Any]:
    """One household's decisions (registry + verification on `as_of`); a detail read, so audited."""
    from minzheng.rules.eligibility import household_result

    result = household_result(household, as_of)
    eligible, undecided = decision_names(result)
    eligibility_viewed(
        actor=actor, household=household, as_of=as_of, eligible=eligible, undecided=undecided, client_ip=client_ip
    )
    return result


def decision_names(result: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The policies a read of `result` names in its audit row: 可能符合, 待核对."""
    eligible = [p["name"] for p in result["policies"] if p["eligible"]]
    undecided = [p["name"] for p in result["policies"] if p["eligible"] is None]
    return eligible, undecided


def eligibility_viewed(
    *,
    actor: Actor | None,
    household: Any,
    as_of: dt.date,
    eligible: list[str],
    undecided: list[str],
    client_ip: str = "",
) -> None:
    """The audit row of one read of a household's decisions (the panel writes it on a cached answer too)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="eligibility",
        object_id=household.household_no,
        summary=(
            f"查看户 {household.household_no} 的可享政策预判（{as_of}）："
            f"可能符合 {len(eligible)} 项，待核对 {len(undecided)} 项"
        ),
        client_ip=client_ip,
        data={"as_of": as_of.isoformat(), "eligible": sorted(set(eligible)), "undecided": sorted(set(undecided))},
    )


@transaction.atomic
def eligibility_batch_start(
    *, actor: Actor | None, as_of: dt.date, region_code: str, engine: str = "polars", client_ip: str = ""
) -> tuple[Any, Any]:
    """Record a batch run and queue its job; the job writes decisions, summary and worklists."""
    from minzheng.jobs.services import job_enqueue
    from minzheng.rules.batch import run_start
    from minzheng.rules.eligibility import ENGINES
    from minzheng.rules.tasks import BATCH_KIND

    if engine not in ENGINES:
        raise RulesError(f"引擎应为 polars 或 spark：{engine}")
    try:
        region = parse_region(region_code)
    except ValueError as exc:
        raise RulesError(f"范围：{exc}") from None
    run = run_start(actor=actor, as_of=as_of, region_code=region, engine=engine)
    job = job_enqueue(kind=BATCH_KIND, params={"run_id": run.pk}, actor=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="eligibility_run",
        object_id=run.pk,
        summary=f"批量资格判定 {as_of}，范围 {region or '全部'}（{engine}）",
        client_ip=client_ip,
        data={"as_of": as_of.isoformat(), "region": region, "engine": engine, "job": job.pk},
    )
    return run, job


def whatif(
    *,
    actor: Actor | None,
    key: str,
    region_code: str,
    from_date: dt.date,
    scale: Any,
    as_of: dt.date,
    engine: str = "polars",
    client_ip: str = "",
) -> Any:
    """政策测算 over the region's households; reads many households' data, so audited."""
    from minzheng.rules.whatif import whatif_run

    if not KEY_RE.match(key):
        raise RulesError(f"参数键“{key}”应为小写英文加点，如 dibao.standard")
    try:
        region = parse_region(region_code)
    except ValueError as exc:
        raise RulesError(f"区划代码：{exc}") from None
    if not region:
        raise RulesError("区划代码：测算须指定调整适用的区划")
    if not Parameter.objects.filter(key=key).exists():
        raise RulesError(f"参数键：{key} 没有任何取值，无法测算")
    result = whatif_run(key=key, region_code=region, from_date=from_date, scale=scale, as_of=as_of, engine=engine)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SEARCH,
        object_type="eligibility_whatif",
        object_id=key,
        summary=f"政策测算 {key}（{region}，{from_date} 起 × {scale}，{as_of}）：{result.households} 户，"
        f"每月资金变化 {result.monthly_cost_change_fen} 分",
        client_ip=client_ip,
        data={"region": region, "from": from_date.isoformat(), "scale": str(scale), "as_of": as_of.isoformat()},
    )
    return result


__all__ = [
    "ParamFileError",
    "ParamImportResult",
    "RulesError",
    "decision_names",
    "eligibility_batch_start",
    "eligibility_viewed",
    "household_eligibility",
    "param_change_approve",
    "param_change_propose",
    "param_change_reject",
    "params_import",
    "whatif",
]


def worklist_viewed(
    *, actor: Actor, run: Any, rows: list[Any], filters: dict[str, str], page: int, client_ip: str = ""
) -> None:
    """One audit row per worklist page shown: the page lists names and masked numbers of residents."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="eligibility_worklist",
        object_id=str(run.pk) if run else "",
        summary=f"查看应享未享 / 不应享而享清单第 {page} 页：{len(rows)} 条",
        client_ip=client_ip,
        data={
            "run": run.pk if run else None,
            **{k: v for k, v in filters.items() if v},
            "page": page,
            "households": sorted({r.household_no for r in rows}),
        },
    )
