"""Material reserves: receive lots, issue to villages (first expiring first), take returns, write off,
and the village's signed receipt.

Stock never goes below zero: every decrease is one conditional UPDATE (`quantity = quantity - n WHERE
quantity >= n`), so of two officers issuing the last blankets at once one is refused, on SQLite and
PostgreSQL alike; the check constraint is the database's last word. Every change is a movement row
(with the balance after it) and an audit event in the same transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.disaster.models import Distribution, Event, Lot, StockMovement, Warehouse
from minzheng.divisions.models import Division


class StockError(ValueError):
    """Refused with a Chinese reason naming the item and the quantity."""


def _user(actor: Actor) -> Actor | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _own(actor: Actor, warehouse: Warehouse) -> None:
    if not covers(str(getattr(actor, "jurisdiction", "")), warehouse.division_code):
        raise StockError(f"{warehouse.name} 不在您的管辖范围内")


def _move(lot: Lot, kind: str, qty: int, *, actor: Actor, reason: str, dist: Distribution | None = None) -> None:
    lot.refresh_from_db(fields=["quantity"])
    StockMovement.objects.create(
        lot=lot, kind=kind, quantity=qty, balance=lot.quantity, distribution=dist, reason=reason[:200],
        actor=_user(actor),
    )  # fmt: skip


def lot_receive(
    warehouse: Warehouse, item_id: int, *, batch_no: str, quantity: int, received_on: dt.date,
    expires_on: dt.date | None, source: str, actor: Actor, client_ip: str = "",
) -> Lot:  # fmt: skip
    """入库: a new lot, or more of the same batch."""
    _own(actor, warehouse)
    if quantity <= 0:
        raise StockError("入库数量：应大于 0")
    if expires_on and expires_on <= received_on:
        raise StockError(f"有效期至：{expires_on} 不晚于入库日期")
    with transaction.atomic():
        lot, _ = Lot.objects.get_or_create(
            warehouse=warehouse, item_id=item_id, batch_no=batch_no.strip() or received_on.isoformat(),
            defaults={"received_on": received_on, "expires_on": expires_on, "source": source.strip()[:80]},
        )  # fmt: skip
        Lot.objects.filter(pk=lot.pk).update(quantity=F("quantity") + quantity)
        _move(lot, StockMovement.Kind.RECEIVE, quantity, actor=actor, reason=source)
        audit_record(
            actor=actor, action="create", object_type="disaster_stock", object_id=lot.pk,
            summary=f"入库 {lot.item.name} {quantity}{lot.item.unit}（{warehouse.name}，批次 {lot.batch_no}）",
            client_ip=client_ip,
        )  # fmt: skip
    return lot


def _take(lot: Lot, qty: int) -> bool:
    """Decrease by qty only where enough is left: True when this caller got it."""
    return Lot.objects.filter(pk=lot.pk, quantity__gte=qty).update(quantity=F("quantity") - qty) == 1


def usable_lots(warehouse: Warehouse, item_id: int, on: dt.date) -> list[Lot]:
    """Lots of the item with stock that have not expired, the first to expire first (FEFO)."""
    lots = Lot.objects.filter(warehouse=warehouse, item_id=item_id, quantity__gt=0)
    lots = lots.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=on)).select_related("item")
    return sorted(lots, key=lambda lot: (lot.expires_on or dt.date.max, lot.received_on, lot.pk))


def available(warehouse: Warehouse, item_id: int, on: dt.date) -> int:
    return sum(lot.quantity for lot in usable_lots(warehouse, item_id, on))


@dataclass
class Line:
    item_id: int
    quantity: int


def distribution_issue(
    warehouse: Warehouse, village: str, lines: list[Line], *, event: Event | None, actor: Actor,
    on: dt.date | None = None, note: str = "", client_ip: str = "",
) -> Distribution:  # fmt: skip
    """发放 to a village: all lines or none; each line from the first-expiring lots."""
    _own(actor, warehouse)
    on = on or timezone.localdate()
    if len(village) != 12 or not Division.objects.filter(code=village).exists():
        raise StockError(f"接收村（社区）：{village} 不是村级区划代码")
    lines = [ln for ln in lines if ln.quantity]
    if not lines or any(ln.quantity < 0 for ln in lines):
        raise StockError("发放数量：请至少填写一项大于 0 的数量")
    with transaction.atomic():
        dist = Distribution.objects.create(
            event=event, warehouse=warehouse, division_code=village, issued_on=on, issued_by=_user(actor),
            note=note.strip()[:200],
        )  # fmt: skip
        texts = [_issue_line(dist, ln, on, actor) for ln in lines]
        audit_record(
            actor=actor, action="create", object_type="disaster_stock", object_id=f"dist:{dist.pk}",
            summary=f"发放救灾物资至 {village}：{'、'.join(texts)}（{warehouse.name}）", client_ip=client_ip,
            data={"event": event.pk if event else None, "lines": [(ln.item_id, ln.quantity) for ln in lines]},
        )  # fmt: skip
    return dist


def _issue_line(dist: Distribution, line: Line, on: dt.date, actor: Actor) -> str:
    left = line.quantity
    lots = usable_lots(dist.warehouse, line.item_id, on)
    name = lots[0].item.name if lots else f"物资#{line.item_id}"
    for lot in lots:
        if not left:
            break
        take = min(left, lot.quantity)
        while take and not _take(lot, take):  # someone took some meanwhile: take what is left now
            lot.refresh_from_db(fields=["quantity"])
            take = min(left, lot.quantity)
        if take:
            _move(lot, StockMovement.Kind.ISSUE, take, actor=actor, reason=f"发放至 {dist.division_code}", dist=dist)
            left -= take
    if left:
        have = line.quantity - left
        raise StockError(f"{name}：库存不足（可用 {have}，需发放 {line.quantity}；过期批次不发放）")
    return f"{name} {line.quantity}{lots[0].item.unit}"


def distribution_return(
    dist: Distribution, lot: Lot, quantity: int, *, actor: Actor, reason: str, client_ip: str = ""
) -> StockMovement:
    """退回: at most what this distribution took from this lot and has not yet returned."""
    _own(actor, dist.warehouse)
    moves = StockMovement.objects.filter(distribution=dist, lot=lot)
    issued = moves.filter(kind=StockMovement.Kind.ISSUE).aggregate(n=Sum("quantity"))["n"] or 0
    back = moves.filter(kind=StockMovement.Kind.RETURN).aggregate(n=Sum("quantity"))["n"] or 0
    if quantity <= 0 or quantity > issued - back:
        raise StockError(f"退回数量：{lot.item.name} 本次发放 {issued}，已退回 {back}，最多还可退回 {issued - back}")
    if not reason.strip():
        raise StockError("退回原因：请填写")
    with transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(quantity=F("quantity") + quantity)
        _move(lot, StockMovement.Kind.RETURN, quantity, actor=actor, reason=reason, dist=dist)
        audit_record(
            actor=actor, action="update", object_type="disaster_stock", object_id=f"dist:{dist.pk}",
            summary=f"{dist.division_code} 退回 {lot.item.name} {quantity}{lot.item.unit}", reason=reason[:500],
            client_ip=client_ip,
        )  # fmt: skip
    return StockMovement.objects.filter(distribution=dist, lot=lot).order_by("-pk").first()  # type: ignore[return-value]


def lot_write_off(lot: Lot, quantity: int, *, actor: Actor, reason: str, client_ip: str = "") -> None:
    """报损 (expired, damaged): with a reason, never more than is there."""
    _own(actor, lot.warehouse)
    if not reason.strip():
        raise StockError("报损原因：请填写")
    with transaction.atomic():
        if quantity <= 0 or not _take(lot, quantity):
            raise StockError(f"报损数量：{lot.item.name} 批次 {lot.batch_no} 现存 {lot.quantity}，不能报损 {quantity}")
        _move(lot, StockMovement.Kind.WRITE_OFF, quantity, actor=actor, reason=reason)
        audit_record(
            actor=actor, action="update", object_type="disaster_stock", object_id=lot.pk,
            summary=f"报损 {lot.item.name} {quantity}{lot.item.unit}（批次 {lot.batch_no}）", reason=reason[:500],
            client_ip=client_ip,
        )  # fmt: skip


def receipt_sign(
    dist: Distribution, *, received_by: str, signature_png: str, actor: Actor, client_ip: str = ""
) -> Distribution:
    """The village signs for what arrived: the name and the drawn signature (a PNG, checked by content)."""
    from minzheng.documents.services import AttachmentError, attachment_store

    if dist.received_at is not None:
        raise StockError(
            f"该批物资已于 {timezone.localtime(dist.received_at):%Y-%m-%d %H:%M} 由 {dist.received_by} 签收"
        )
    if not covers(str(getattr(actor, "jurisdiction", "")), dist.division_code):
        raise StockError("只能签收本村（社区）的物资")
    if not received_by.strip():
        raise StockError("签收人：请填写姓名")
    raw = signature_png.split(",", 1)[-1]
    try:
        data = base64.b64decode(raw, validate=True)
    except ValueError:
        raise StockError("签名：请在签名框内签字") from None
    with transaction.atomic():
        try:
            att = attachment_store(
                io.BytesIO(data), filename=f"签收-{dist.pk}.png", owner_type="disaster_distribution",
                owner_id=dist.pk, kind="signature", actor=actor,
            )  # fmt: skip
        except AttachmentError as exc:
            raise StockError(f"签名：{exc}") from None
        done = Distribution.objects.filter(pk=dist.pk, received_at__isnull=True).update(
            received_by=received_by.strip()[:40], received_at=timezone.now(), signature=att
        )
        if not done:
            raise StockError("该批物资已由他人签收")
        audit_record(
            actor=actor, action="update", object_type="disaster_stock", object_id=f"dist:{dist.pk}",
            summary=f"{dist.division_code} 签收救灾物资（签收人 {received_by.strip()[:40]}）", client_ip=client_ip,
        )  # fmt: skip
    dist.refresh_from_db()
    return dist
