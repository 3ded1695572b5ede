"""An event's Excel workbook through core.sheets: village figures (GB/T 24438.1), relief claims with
masked names, materials issued. Audited as an export."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.disaster import selectors
from minzheng.disaster.models import Event
from minzheng.disaster.services import INDICATORS, standards


def _assessment_sheet(event: Event, prefix: str) -> Sheet:
    labels = standards()["indicators"]["values"]
    totals = selectors.assessment_totals(event, prefix)
    rows = [
        [v["division_code"], v["name"], *(v[k] for k in INDICATORS), v["loss_fen"] / 100] for v in totals["villages"]
    ]
    rows.append(
        [
            "合计",
            f"{totals['reported']} 个村",
            *(totals["total"][k] for k in INDICATORS),
            totals["total"]["loss_fen"] / 100,
        ]
    )
    header = ["区划代码", "村（社区）", *(labels[k] for k in INDICATORS), labels["loss_fen"]]
    return Sheet(title="灾情（按村）", header=header, rows=rows, formats={0: "@", len(header) - 1: "0.00"})


def _claim_sheet(event: Event, prefix: str) -> Sheet:
    rows = [
        [r["case_no"], r["who"], r["household_no"], r["kind"], r["persons"], r["stage"],
         (r["decided_fen"] or 0) / 100, (r["paid_fen"] or 0) / 100 if r["paid_fen"] else ""]
        for r in selectors.claim_rows(event, prefix)
    ]  # fmt: skip
    header = ["案件编号", "户主（脱敏）", "户编号", "救助类别", "救助人数", "环节", "核定金额（元）", "已计发（元）"]
    return Sheet(title="救助对象", header=header, rows=rows, formats={6: "0.00", 7: "0.00"})


def _material_sheet(event: Event, prefix: str) -> Sheet:
    rows: list[list[Any]] = []
    for dist in event.distributions.filter(prefix_q("division_code", prefix)).select_related("warehouse"):
        for line in selectors.distribution_lines(dist):
            signed = f"{dist.received_by}" if dist.received_at else "未签收"
            rows.append([dist.issued_on, dist.warehouse.name, dist.division_code, line["item"], line["unit"],
                         line["issued"], line["returned"], signed])  # fmt: skip
    header = ["发放日期", "储备库", "接收村", "物资", "单位", "发放", "退回", "签收人"]
    return Sheet(title="物资发放", header=header, rows=rows, formats={2: "@"})


def event_xlsx(user: Any, event: Event, *, client_ip: str = "") -> tuple[str, bytes]:
    prefix = user.jurisdiction
    sheets = [_assessment_sheet(event, prefix), _claim_sheet(event, prefix), _material_sheet(event, prefix)]
    data = xlsx_bytes(sheets)
    with transaction.atomic():
        audit_record(
            actor=user, action="export", object_type="disaster_event", object_id=event.pk,
            summary=f"导出灾害事件 {event.name}（灾情、救助对象姓名已脱敏、物资发放）", client_ip=client_ip,
            data={"rows": [len(s.rows) for s in sheets], "jurisdiction": prefix},
        )  # fmt: skip
    return f"{event.name}.xlsx", data
