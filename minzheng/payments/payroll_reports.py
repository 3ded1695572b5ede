"""What a payroll run's pages show: totals by town, the changes against last month, the 发放名册.

All computed by the database (GROUP BY, anti-joins), so a county's run is summarised without
loading its lines.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Substr

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import add_months
from minzheng.core.sheets import Cell, Sheet, xlsx_bytes
from minzheng.divisions.models import Division
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.programmes import programme


def _lines(run: PayrollRun) -> QuerySet[PayrollLine]:
    return PayrollLine.objects.filter(run=run).exclude(status="cancelled")


def run_by_town(run: PayrollRun) -> list[dict[str, Any]]:
    """One row per town (乡镇/街道): code, name, lines, beneficiaries, total_fen; ordered by code."""
    rows = (
        _lines(run)
        .annotate(town=Substr("division_code", 1, 9))
        .values("town")
        .annotate(count=Count("id"), beneficiaries=Count("entitlement_id", distinct=True), total_fen=Sum("amount_fen"))
        .order_by("town")
    )
    codes = [r["town"] + "000" for r in rows]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "town_code": r["town"] + "000",
            "town_name": names.get(r["town"] + "000", r["town"]),
            "count": r["count"],
            "beneficiaries": r["beneficiaries"],
            "total_fen": r["total_fen"] or 0,
        }
        for r in rows
    ]


def previous_run(run: PayrollRun) -> PayrollRun | None:
    return PayrollRun.objects.filter(
        programme=run.programme, region=run.region, month=add_months(run.month, -1), seq=0
    ).first()


def run_changes(run: PayrollRun, limit: int | None = 500) -> dict[str, Any]:
    """新增 / 停发 / 金额变更 against the previous month's regular run, comparing each run's lines for
    its own month (arrears lines are not changes). Lists are cut at `limit`; `counts` are complete."""
    prev = previous_run(run)
    mine = _lines(run).filter(period=run.month)
    theirs = PayrollLine.objects.none() if prev is None else _lines(prev).filter(period=prev.month)
    fields = ("entitlement_id", "payee_name", "division_code", "amount_fen")
    new = mine.exclude(entitlement_id__in=theirs.values("entitlement_id")).order_by("entitlement_id")
    stopped = theirs.exclude(entitlement_id__in=mine.values("entitlement_id")).order_by("entitlement_id")
    old_amount = theirs.filter(entitlement_id=OuterRef("entitlement_id")).values("amount_fen")[:1]
    changed = (
        mine.annotate(old_amount_fen=Subquery(old_amount))
        .filter(old_amount_fen__isnull=False)
        .exclude(old_amount_fen=F("amount_fen"))
        .order_by("entitlement_id")
    )

    def cut(qs: QuerySet[PayrollLine], extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        rows = qs.values(*fields, *extra)
        return list(rows if limit is None else rows[:limit])

    return {
        "previous_run_id": prev.pk if prev else None,
        "new": cut(new),
        "stopped": cut(stopped),
        "changed": cut(changed, ("old_amount_fen",)),
        "counts": {"new": new.count(), "stopped": stopped.count(), "changed": changed.count()},
    }


ROSTER_HEADER = (
    "序号",
    "参考号",
    "乡镇（街道）",
    "村（社区）",
    "姓名",
    "公民身份号码",
    "保障人口数",
    "所属期",
    "金额（元）",
    "开户银行",
    "账号",
    "户名",
    "领款人签字",
)


def roster_xlsx(run: PayrollRun, *, actor: Actor | None = None) -> bytes:
    """发放名册 for signature: full account numbers (the bank and the signatory need them), so every
    export is audited."""
    names = dict(Division.objects.filter(code__startswith=run.region[:6]).values_list("code", "name"))
    fields = ("pk", "division_code", "payee_name", "payee_id_number", "members", "period", "amount_fen")
    fields += ("bank_name", "account_no", "account_name")
    rows = []
    total = 0
    for i, (pk, div, name, idno, members, period, fen, bank, acct, aname) in enumerate(
        _lines(run).order_by("division_code", "pk").values_list(*fields).iterator(chunk_size=5000), start=1
    ):
        total += fen
        town = names.get(div[:9] + "000", div[:9])
        village = names.get(div, div)
        rows.append([i, pk, town, village, name, idno, members, f"{period:%Y年%m月}", fen / 100, bank, acct, aname, ""])
    rows.append([Cell("合计", bold=True), "", "", "", "", "", "", "", Cell(total / 100, bold=True, num_format="0.00")])
    prog = programme(run.programme)
    title = f"{prog.name}发放名册 {run.month:%Y年%m月} 批次 {run.seq}（区划 {run.region}）"
    sheet = Sheet(
        title="发放名册",
        header=ROSTER_HEADER,
        rows=rows,
        above=[[Cell(title, bold=True)]],
        formats={5: "@", 8: "0.00", 10: "@"},
        widths=[(2, 3, 14), (4, 4, 10), (5, 5, 20), (9, 11, 22), (12, 12, 14)],
    )
    data = xlsx_bytes([sheet])
    audit_record(
        actor=actor,
        action="export",
        object_type="payroll_run",
        object_id=run.pk,
        summary=f"导出发放名册（含完整账号）：{prog.name} {run.month:%Y年%m月} {len(rows) - 1} 笔",
        data={"lines": len(rows) - 1, "total_fen": total},
    )
    return data
