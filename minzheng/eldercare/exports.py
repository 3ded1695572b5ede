"""Excel export of a provider's monthly statement (amounts in 元 with two decimals, from fen). Audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from minzheng.core.masking import mask_id_number
from minzheng.core.sheets import Cell, Sheet, write_xlsx
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
    status = statement.get_status_display()
    title = f"{statement.provider.name} {statement.month:%Y年%m月} 居家养老服务结算单（{status}）"
    rows: list[list[Any]] = []
    for o in orders.order_by("window_start"):
        items = "、".join(ln.item.name for ln in o.lines.all() if ln.done)
        rows.append([
            o.pk, f"{timezone.localtime(o.window_start):%Y-%m-%d}", o.elder.person.name,
            mask_id_number(o.elder.person.id_number), o.caregiver.name if o.caregiver else "", items, o.minutes,
            yuan(o.price_fen), yuan(o.subsidy_fen), yuan(o.copay_fen),
        ])  # fmt: skip
    total = ["合计", "", f"{statement.order_count} 单", None, None, None, None,
             yuan(statement.price_fen), yuan(statement.subsidy_fen), yuan(statement.copay_fen)]  # fmt: skip
    rows.append([Cell(v, bold=True) for v in total])
    write_xlsx(path, [Sheet("结算明细", COLUMNS, rows, above=[[title]], widths=[(0, len(COLUMNS) - 1, 14)])])
    statement_export_audit(actor=actor, statement=statement, path=path, client_ip=client_ip)
    return path
