"""Excel export of the registrations through core.sheets; names and identity numbers masked; audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_id_number, mask_name
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.marriage import access

HEADER = [
    "登记类型",
    "证书字号",
    "登记日期",
    "男方（一方）",
    "身份号码",
    "女方（另一方）",
    "身份号码",
    "所解除的结婚证",
]


def registrations_xlsx(user: Any, *, client_ip: str = "") -> tuple[str, bytes]:
    regs = access.registrations_visible_to(user).select_related("marriage").order_by("registered_on", "pk")
    rows = [
        [r.get_kind_display(), r.certificate_no, r.registered_on, mask_name(r.name_a), mask_id_number(r.id_number_a),
         mask_name(r.name_b), mask_id_number(r.id_number_b), r.marriage.certificate_no if r.marriage else ""]
        for r in regs
    ]  # fmt: skip
    data = xlsx_bytes([Sheet(title="婚姻登记", header=HEADER, rows=rows, formats={1: "@", 4: "@", 6: "@"})])
    with transaction.atomic():
        audit_record(
            actor=user, action="export", object_type="marriage_export", object_id="registrations",
            summary=f"导出婚姻登记记录 {len(rows)} 条（姓名、身份号码已脱敏）", client_ip=client_ip,
            data={"rows": len(rows), "jurisdiction": user.jurisdiction},
        )  # fmt: skip
    return "婚姻登记记录.xlsx", data
