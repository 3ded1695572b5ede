"""Two officers issuing the last blankets at the same moment (PostgreSQL, real threads): exactly one gets
them, the other is refused, and the stock ends at zero, never below."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from minzheng.disaster import services_stock as stock
from minzheng.disaster.models import Item, Lot, StockMovement, Warehouse
from minzheng.testing import COUNTY, VILLAGE_A, VILLAGE_A2, Cast

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite's test database is in memory: one writer"),
]


def test_two_issues_of_the_last_stock_at_once_one_wins(cast: Cast) -> None:
    house = Warehouse.objects.create(code="YZ-01", name="鄞州区救灾物资储备库", division_code=COUNTY)
    tent = Item.objects.create(code="ZP", name="帐篷", unit="顶")
    stock.lot_receive(house, tent.pk, batch_no="A", quantity=6, received_on=dt.date(2026, 1, 5), expires_on=None,
                      source="采购", actor=cast.disaster_officer)  # fmt: skip
    barrier = threading.Barrier(2)
    wins: list[int] = []
    refusals: list[str] = []

    def issue(village: str) -> None:
        try:
            barrier.wait()
            dist = stock.distribution_issue(
                house, village, [stock.Line(tent.pk, 4)], event=None, actor=cast.disaster_officer
            )
            wins.append(dist.pk)
        except stock.StockError as exc:
            refusals.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(v,)) for v in (VILLAGE_A, VILLAGE_A2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(refusals) == 1 and "库存不足" in refusals[0]
    assert Lot.objects.get().quantity == 2
    assert StockMovement.objects.filter(kind="issue").count() == 1
