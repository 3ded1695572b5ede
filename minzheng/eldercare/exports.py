"""Excel export of a provider's monthly statement (amounts in 元 with two decimals, from fen). Audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.utils import timezone

from minzheng.core.masking import mask_id_number
from minzheng.eldercare.models import Statement
from minzheng.eldercare.money import yuan
from minzheng.eldercare.services import statement_export_audit

COLUMNS = ["订单号", "服务日期", "服务对象", "公民身份号码（脱敏）", "护理员", "服务项目", "时长（分钟）",
           "服务金额（元）", "政府补贴（元）", "个人自付（元）"]  # fmt: skip


def statement_export(*, actor: Any, statement: Statement, client_ip: str = "") -> Path:
    """One row per order plus a total row; the 元 columns are text so no float rounding creeps in."""
    settings.EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
    name = f"养老结算-{statement.provider.name}-{statement.month:%Y%m}-{uuid.uuid4().hex[:6]}.xlsx"
    path = Path(settings.EXPORTS_DIR) / name
    orders = statement.orders.select_related("elder__person", "caregiver").prefetch_related("lines__item")
    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet("结算明细")
        bold = workbook.add_format({"bold": True})
        status = statement.get_status_display()
        title = f"{statement.provider.name} {statement.month:%Y年%m月} 居家养老服务结算单（{status}）"
        sheet.write(0, 0, title, bold)
        sheet.write_row(1, 0, COLUMNS, bold)
        row = 2
        for o in orders.order_by("window_start"):
            items = "、".join(ln.item.name for ln in o.lines.all() if ln.done)
            sheet.write_row(row, 0, [
                o.pk, f"{timezone.localtime(o.window_start):%Y-%m-%d}", o.elder.person.name,
                mask_id_number(o.elder.person.id_number), o.caregiver.name if o.caregiver else "", items, o.minutes,
                yuan(o.price_fen), yuan(o.subsidy_fen), yuan(o.copay_fen),
            ])  # fmt: skip
            row += 1
        sheet.write_row(row, 0, ["合计", "", f"{statement.order_count} 单"], bold)
        sheet.write_row(
            row, 7, [yuan(statement.price_fen), yuan(statement.subsidy_fen), yuan(statement.copay_fen)], bold
        )
        sheet.set_column(0, len(COLUMNS) - 1, 14)
    statement_export_audit(actor=actor, statement=statement, path=path, client_ip=client_ip)
    return path
