"""高龄津贴 免申即享 from the month after the birthday month; staff grants pay the guardian."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.payments.allowances import entitlement_grant, grant_auto_allowances
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.services import EntitlementError
from minzheng.payments.tests.sources_helpers import family
from minzheng.rules.engine import DEFAULT_PARAMS
from minzheng.rules.models import Parameter
from minzheng.rules.services import params_import
from minzheng.testing import Cast

AS_OF = dt.date(2026, 11, 20)


def _param(key: str, value: int, region: str = "330212", since: dt.date = dt.date(2020, 1, 1)) -> None:
    Parameter.objects.create(
        key=key, region_code=region, effective_from=since, value=str(value), value_type="integer", reference="测试"
    )


@pytest.fixture
def elders(cast: Cast) -> dict[str, object]:
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    _param("gaoling.amount", 100)
    _param("gaoling.amount_90", 200)
    _, people = family(
        "HQ-0080",
        [
            ("赵满", dt.date(1946, 11, 15), "户主"),  # 80 on 15 November 2026
            ("钱未", dt.date(1946, 12, 2), "配偶"),  # 80 only in December
            ("孙寿", dt.date(1935, 3, 1), "父亲"),  # 91 for years
        ],
    )
    return {p.name: p for p in people}


@pytest.mark.django_db
def test_no_allowance_where_the_county_has_not_switched_it_on(elders: dict[str, object]) -> None:
    _param("payments.gaoling.auto", 0)
    assert grant_auto_allowances(AS_OF)["granted"] == 0
    assert not Entitlement.objects.exists()


@pytest.mark.django_db
def test_gaoling_from_the_month_after_the_birthday_month_priced_by_age_band(elders: dict[str, object]) -> None:
    _param("payments.gaoling.auto", 1, since=dt.date(2026, 1, 1))
    assert grant_auto_allowances(AS_OF) == {"granted": 2, "undecided": 0}
    rows = {e.person.name: e for e in Entitlement.objects.select_related("person")}
    assert set(rows) == {"赵满", "孙寿"}  # 钱未 is not yet 80
    assert (rows["赵满"].from_month, rows["赵满"].amount_fen) == (dt.date(2026, 12, 1), 10000)
    assert (rows["赵满"].source, rows["赵满"].status, rows["赵满"].payee.name) == ("auto", Status.ACTIVE, "赵满")
    assert (rows["孙寿"].from_month, rows["孙寿"].amount_fen) == (dt.date(2026, 11, 1), 20000)  # no invented arrears
    assert grant_auto_allowances(AS_OF)["granted"] == 0  # idempotent
    assert grant_auto_allowances(dt.date(2026, 12, 2))["granted"] == 1  # 钱未's birthday
    assert Entitlement.objects.get(person__name="钱未").from_month == dt.date(2027, 1, 1)


@pytest.mark.django_db
def test_a_staff_grant_pays_the_guardian_and_needs_an_amount_the_engine_cannot_give(cast: Cast) -> None:
    _, people = family("HQ-0100", [("吴爷", dt.date(1955, 1, 1), "户主"), ("吴小", dt.date(2016, 5, 1), "孙子女")])
    grandpa, child = people
    with pytest.raises(EntitlementError, match="请填写月发放金额"):
        entitlement_grant("orphan", child, from_month=AS_OF, reason="孤儿认定", actor=cast.county_approver)
    ent = entitlement_grant(
        "orphan",
        child,
        amount_fen=150000,
        from_month=AS_OF,
        reason="孤儿认定 鄞民〔2026〕1号",
        actor=cast.county_approver,
    )
    assert (ent.person, ent.payee, ent.amount_fen, ent.from_month, ent.source) == (
        child, grandpa, 150000, dt.date(2026, 11, 1), "grant",
    )  # fmt: skip
    assert set(child.tags.values_list("kind", flat=True)) == {"orphan"}
    _, alone = family("HQ-0101", [("郑小", dt.date(2015, 1, 1), "户主")])
    with pytest.raises(EntitlementError, match="请先登记郑小的监护人"):
        entitlement_grant(
            "orphan", alone[0], amount_fen=150000, from_month=AS_OF, reason="x", actor=cast.county_approver
        )
