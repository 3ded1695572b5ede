"""Material reserves: first-expiring-first issue, all or nothing, never below zero (even from a stale
read, and by the database's own check), every movement with its balance and an audit row, returns
bounded by what was issued, signed receipts, expiry on the 待办."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from PIL import Image

from minzheng.audit.models import AuditEvent
from minzheng.disaster import services_stock as stock
from minzheng.disaster.items import refresh_disaster_items
from minzheng.disaster.models import Distribution, Item, Lot, StockMovement, Warehouse
from minzheng.disaster.tests.helpers import TODAY, ago
from minzheng.testing import COUNTY, VILLAGE_A, Cast
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserve(cast: Cast) -> tuple[Warehouse, Item]:
    house = Warehouse.objects.create(code="YZ-01", name="鄞州区救灾物资储备库", division_code=COUNTY)
    quilt = Item.objects.create(code="MB", name="棉被", unit="床", category="生活类")
    officer = cast.disaster_officer
    stock.lot_receive(house, quilt.pk, batch_no="A", quantity=10, received_on=ago(400),
                      expires_on=TODAY + dt.timedelta(days=30), source="采购", actor=officer)  # fmt: skip
    stock.lot_receive(house, quilt.pk, batch_no="B", quantity=20, received_on=ago(100),
                      expires_on=TODAY + dt.timedelta(days=700), source="调拨", actor=officer)  # fmt: skip
    stock.lot_receive(house, quilt.pk, batch_no="OLD", quantity=5, received_on=ago(900),
                      expires_on=ago(1), source="采购", actor=officer)  # fmt: skip
    return house, quilt


def _lot(batch: str) -> Lot:
    return Lot.objects.get(batch_no=batch)


def test_issue_takes_the_first_expiring_lot_first_and_never_an_expired_one(cast: Cast, reserve: tuple) -> None:
    house, quilt = reserve
    dist = stock.distribution_issue(
        house, VILLAGE_A, [stock.Line(quilt.pk, 12)], event=None, actor=cast.disaster_officer
    )
    assert (_lot("A").quantity, _lot("B").quantity, _lot("OLD").quantity) == (0, 18, 5)
    moves = list(dist.movements.order_by("pk").values_list("lot__batch_no", "kind", "quantity", "balance"))
    assert moves == [("A", "issue", 10, 0), ("B", "issue", 2, 18)]
    assert AuditEvent.objects.filter(object_type="disaster_stock", object_id=f"dist:{dist.pk}").exists()


def test_a_shortage_issues_nothing_and_names_the_item(cast: Cast, reserve: tuple) -> None:
    house, quilt = reserve
    with pytest.raises(stock.StockError, match="棉被：库存不足（可用 30，需发放 31"):
        stock.distribution_issue(house, VILLAGE_A, [stock.Line(quilt.pk, 31)], event=None, actor=cast.disaster_officer)
    assert (_lot("A").quantity, _lot("B").quantity) == (10, 20)
    assert not Distribution.objects.exists() and not StockMovement.objects.filter(kind="issue").exists()


def test_stock_never_goes_below_zero_from_a_stale_read_nor_in_the_database(cast: Cast, reserve: tuple) -> None:
    stale = _lot("A")  # an officer's page loaded with 10 left
    stock.lot_write_off(_lot("A"), 8, actor=cast.disaster_officer, reason="受潮霉变")  # another took 8 meanwhile
    with pytest.raises(stock.StockError, match="现存 10，不能报损 5"):  # the message shows the stale read …
        stock.lot_write_off(stale, 5, actor=cast.disaster_officer, reason="破损")
    assert _lot("A").quantity == 2  # … but the conditional UPDATE refused it
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=stale.pk).update(quantity=-1)  # the check constraint, whatever the code does
    assert _lot("A").quantity == 2


def test_returns_are_bounded_by_what_was_issued_and_audited(cast: Cast, reserve: tuple) -> None:
    house, quilt = reserve
    dist = stock.distribution_issue(
        house, VILLAGE_A, [stock.Line(quilt.pk, 4)], event=None, actor=cast.disaster_officer
    )
    stock.distribution_return(dist, _lot("A"), 3, actor=cast.disaster_officer, reason="转移群众返家，未用完")
    with pytest.raises(stock.StockError, match="最多还可退回 1"):
        stock.distribution_return(dist, _lot("A"), 2, actor=cast.disaster_officer, reason="再退")
    assert _lot("A").quantity == 9
    kinds = list(StockMovement.objects.filter(lot=_lot("A")).order_by("pk").values_list("kind", "balance"))
    assert kinds == [("receive", 10), ("issue", 6), ("return", 9)]
    assert AuditEvent.objects.filter(object_type="disaster_stock").count() == 5  # 3 receipts, issue, return


def _png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_the_village_signs_once_within_its_own_area(cast: Cast, reserve: tuple) -> None:
    house, quilt = reserve
    dist = stock.distribution_issue(
        house, VILLAGE_A, [stock.Line(quilt.pk, 2)], event=None, actor=cast.disaster_officer
    )
    with pytest.raises(stock.StockError, match="只能签收本村"):
        stock.receipt_sign(dist, received_by="赵咸", signature_png=_png(), actor=cast.other_town_officer)
    with pytest.raises(stock.StockError, match="签名"):
        stock.receipt_sign(
            dist, received_by="王村", signature_png="data:image/png;base64,bm90IGFuIGltYWdl", actor=cast.village_worker
        )
    signed = stock.receipt_sign(dist, received_by="王村", signature_png=_png(), actor=cast.village_worker)
    assert signed.received_by == "王村" and signed.signature is not None
    with pytest.raises(stock.StockError, match=r"已于 .* 由 王村 签收"):
        stock.receipt_sign(signed, received_by="王村", signature_png=_png(), actor=cast.village_worker)


def test_expiring_lots_and_unsigned_issues_go_on_the_list_and_leave_it(cast: Cast, reserve: tuple) -> None:
    house, quilt = reserve
    dist = stock.distribution_issue(
        house, VILLAGE_A, [stock.Line(quilt.pk, 1)], event=None, actor=cast.disaster_officer
    )
    Distribution.objects.filter(pk=dist.pk).update(issued_on=ago(5))
    refresh_disaster_items()
    items = WorkItem.objects.filter(status="open")
    assert {(i.kind, i.role) for i in items} == {
        ("disaster_stock_expiring", "disaster_officer"),
        ("disaster_receipt_missing", "village_worker"),
    }
    assert items.filter(kind="disaster_stock_expiring").count() == 2  # lot A (30 days) and the expired lot
    stock.lot_write_off(_lot("OLD"), 5, actor=cast.disaster_officer, reason="过期报损")
    stock.receipt_sign(dist, received_by="王村", signature_png=_png(), actor=cast.village_worker)
    refresh_disaster_items()
    assert list(WorkItem.objects.filter(status="open").values_list("kind", flat=True)) == ["disaster_stock_expiring"]


def test_a_warehouse_outside_the_jurisdiction_is_refused(cast: Cast, reserve: tuple) -> None:
    _, quilt = reserve
    other = Warehouse.objects.create(code="XX-01", name="咸祥镇储备点", division_code="330212101")
    with pytest.raises(stock.StockError, match="不在您的管辖范围内"):
        stock.lot_receive(other, quilt.pk, batch_no="C", quantity=1, received_on=TODAY, expires_on=None,
                          source="", actor=cast.town_officer)  # fmt: skip
