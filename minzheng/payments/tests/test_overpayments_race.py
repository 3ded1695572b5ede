"""Two repayments recorded at once on PostgreSQL: the row lock lets exactly one through when together
they would exceed what is outstanding (SQLite serialises writers, so the race is PostgreSQL's)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from minzheng.payments.models import Overpayment, PayrollLine
from minzheng.payments.overpayments import OverpaymentError, overpayment_open, repayment_record
from minzheng.payments.tests.test_stops_fixtures import TEKUN_FEN, build_world, pay
from minzheng.testing import Cast

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; PostgreSQL races"),
]


def test_two_repayments_at_once_never_exceed_the_amount(cast: Cast) -> None:
    world = build_world()
    pay(world.tekun, dt.date(2026, 10, 1))
    pay(world.tekun, dt.date(2026, 11, 1), PayrollLine.State.ISSUED)
    op = overpayment_open(world.tekun, last_month=dt.date(2026, 9, 1), cause="death", actor=cast.town_officer)
    assert op is not None and op.amount_fen == 2 * TEKUN_FEN
    target: Overpayment = op
    barrier, outcomes = threading.Barrier(2), []

    def repay() -> None:
        try:
            barrier.wait()
            repayment_record(target, amount_fen=200_000, received_on=dt.date(2026, 12, 1), actor=cast.town_officer)
            outcomes.append("ok")
        except OverpaymentError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=repay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok", "refused"]
    op = Overpayment.objects.get(pk=op.pk)
    assert (op.recovered_fen, op.status) == (200_000, "recovering")
    assert sum(op.repayments.values_list("amount_fen", flat=True)) == 200_000
