"""Excel exports through core.sheets (cells neutralised): burials with their payments, the clean-up ledger.
Names and identity numbers masked; every export audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_id_number, mask_name
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.funeral import access
from minzheng.funeral.models import Award

BURIAL_HEADER = [
    *("逝者", "公民身份号码", "区划代码", "死亡日期", "火化日期", "安葬方式", "安葬日期", "公墓", "墓位"),
    *("惠民殡葬补贴（元）", "生态安葬奖励（元）", "判定说明"),
]
SITE_HEADER = ["整治行动", "区划代码", "位置", "坟墓数（穴）", "整治方式", "完成日期", "腾出土地（亩）", "说明"]


def _audit(user: Any, kind: str, label: str, rows: int, client_ip: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="export", object_type="funeral_export", object_id=kind,
            summary=f"导出{label} {rows} 行（姓名、身份号码已脱敏）", client_ip=client_ip,
            data={"rows": rows, "jurisdiction": user.jurisdiction},
        )  # fmt: skip


def burials_xlsx(user: Any, *, client_ip: str = "") -> tuple[str, bytes]:
    burials = list(
        access.burials_visible_to(user).select_related("person", "cemetery", "plot", "cremation").order_by("buried_on")
    )
    awards: dict[tuple[int, str], Award] = {
        (a.person_id, a.programme): a for a in Award.objects.filter(person_id__in=[b.person_id for b in burials])
    }
    rows = []
    for b in burials:
        basic, eco = awards.get((b.person_id, Award.Programme.BASIC)), awards.get((b.person_id, Award.Programme.ECO))
        rows.append([
            mask_name(b.person.name), mask_id_number(b.person.id_number), b.division_code,
            b.cremation.died_on if b.cremation else "", b.cremation.cremated_on if b.cremation else "",
            b.burial_type, b.buried_on, b.cemetery.name if b.cemetery else "", b.plot.number if b.plot else b.place,
            (basic.amount_fen / 100) if basic else "", (eco.amount_fen / 100) if eco else "",
            "；".join(f"{a.get_programme_display()}：{a.explanation}" for a in (basic, eco) if a),
        ])  # fmt: skip
    data = xlsx_bytes([Sheet(title="安葬记录", header=BURIAL_HEADER, rows=rows, formats={1: "@", 2: "@"})])
    _audit(user, "burials", "安葬记录", len(rows), client_ip)
    return "安葬记录.xlsx", data


def cleanup_xlsx(user: Any, *, client_ip: str = "") -> tuple[str, bytes]:
    sites = access.sites_visible_to(user).select_related("campaign").order_by("campaign_id", "division_code", "pk")
    rows = [
        [s.campaign.name, s.division_code, s.location, s.graves, s.get_action_display(), s.done_on or "",
         float(s.land_mu), s.note]
        for s in sites
    ]  # fmt: skip
    data = xlsx_bytes([Sheet(title="坟墓整治台账", header=SITE_HEADER, rows=rows, formats={1: "@"})])
    _audit(user, "cleanup", "坟墓整治台账", len(rows), client_ip)
    return "坟墓整治台账.xlsx", data
