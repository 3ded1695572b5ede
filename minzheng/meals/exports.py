"""Excel export of a canteen's monthly settlement: summary and every meal. Masked, audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_id_number
from minzheng.core.sheets import Cell, Sheet, write_xlsx
from minzheng.meals.models import MealOrder, Settlement
from minzheng.meals.services import HANDED, month_range

COLUMNS = ["日期", "餐次", "姓名", "公民身份号码（脱敏）", "方式", "餐费（元）", "补贴（元）", "自付（元）", "补贴依据"]


def settlement_export(*, actor: Any, settlement: Settlement, client_ip: str = "") -> Path:
    start, end = month_range(settlement.month)
    orders = (
        MealOrder.objects.filter(
            menu__canteen=settlement.canteen, menu__date__gte=start, menu__date__lt=end, status__in=HANDED
        )
        .select_related("menu", "person")
        .order_by("menu__date", "menu__meal", "person__name", "pk")
    )
    settings.EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.EXPORTS_DIR / f"助餐结算-{settlement.canteen.pk}-{start:%Y%m}-{uuid.uuid4().hex[:8]}.xlsx"
    summary = [
        ("助餐点", settlement.canteen.name),
        ("结算月份", f"{start:%Y年%m月}"),
        ("状态", settlement.get_status_display()),
        ("餐数", settlement.meals),
        ("人数", settlement.persons),
        ("餐费合计（元）", settlement.price_fen / 100),
        ("应付补贴（元）", settlement.subsidy_fen / 100),
        ("个人支付合计（元）", settlement.pay_fen / 100),
        ("补贴（分）", settlement.subsidy_fen),
    ]
    details = [
        [f"{o.menu.date:%Y-%m-%d}", o.menu.get_meal_display(), o.person.name, mask_id_number(o.person.id_number),
         o.get_mode_display(), o.price_fen / 100, o.subsidy_fen / 100, o.pay_fen / 100,
         (o.basis[0]["text"] if o.basis else "")]
        for o in orders
    ]  # fmt: skip
    count = len(details)
    write_xlsx(path, [
        Sheet("结算汇总", rows=[[Cell(label, bold=True), Cell(value, num_format="0.00" if isinstance(value, float)
              else None)] for label, value in summary], widths=[(0, 1, 22)]),
        Sheet("明细", COLUMNS, details, formats={5: "0.00", 6: "0.00", 7: "0.00"}, widths=[(0, 7, 14), (8, 8, 60)]),
    ])  # fmt: skip
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="meals_settlement",
        object_id=settlement.pk,
        summary=f"导出 {settlement} 助餐结算，{count} 餐",
        client_ip=client_ip,
        data={"file": path.name, "rows": count},
    )
    return path
