"""A standard change from a date recomputes the live amounts of a region from that month, after approval."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.payments import services
from minzheng.payments.models import Entitlement, EntitlementChange
from minzheng.payments.standards import StandardChangeError, standard_change_apply, standard_change_preview
from minzheng.rules.engine import DEFAULT_PARAMS
from minzheng.rules.models import Parameter
from minzheng.rules.services import params_import
from minzheng.testing import Cast, make_household

DEC, JAN = dt.date(2026, 12, 1), dt.date(2027, 1, 1)


@pytest.fixture
def dibao(cast: Cast) -> Entitlement:
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    # 鄞州 raises its standard from 1181 to 1250 元/人/月 from January.
    Parameter.objects.create(
        key="dibao.standard", region_code="330212", effective_from=JAN, value="1250",
        value_type="integer", unit="元/人/月", reference="测试：2027 年标准",
    )  # fmt: skip
    household, people = make_household()  # three members, no income known (no feed delivered)
    return services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=354300, from_month=DEC,
        source="case", reason="测试：按 1181 元核定", actor=None, members=3,
    )  # fmt: skip


@pytest.mark.django_db
def test_preview_prices_each_household_with_the_gap_formula_from_the_month(dibao: Entitlement) -> None:
    [row] = standard_change_preview("dibao", "330212", JAN)
    # (1250 − 0) × 3 = 3750 元 from January; 3543 元 now.
    assert (row["entitlement_id"], row["old_amount_fen"], row["new_amount_fen"]) == (dibao.pk, 354300, 375000)
    assert row["difference_fen"] == 20700
    [before] = standard_change_preview("dibao", "330212", DEC)
    assert before["difference_fen"] == 0  # the old standard still in force in December
    assert standard_change_preview("dibao", "330400", JAN) == []  # another county


@pytest.mark.django_db
def test_apply_needs_a_second_person_and_changes_the_amount_from_that_month_once(
    dibao: Entitlement, cast: Cast
) -> None:
    with pytest.raises(StandardChangeError, match="另一名工作人员"):
        standard_change_apply("dibao", "330212", JAN, actor=cast.town_officer, approved_by=None)
    with pytest.raises(StandardChangeError, match="四眼原则"):
        standard_change_apply("dibao", "330212", JAN, actor=cast.town_officer, approved_by=cast.town_officer)
    result = standard_change_apply("dibao", "330212", JAN, actor=cast.town_officer, approved_by=cast.county_approver)
    assert result == {"changed": 1, "skipped": 0}
    dibao.refresh_from_db()
    assert (dibao.amount_fen, dibao.version) == (375000, 2)
    change = dibao.changes.get(kind=EntitlementChange.Kind.AMOUNT)
    assert (change.effective_month, change.old_amount_fen, change.new_amount_fen) == (JAN, 354300, 375000)
    again = standard_change_apply("dibao", "330212", JAN, actor=cast.town_officer, approved_by=cast.county_approver)
    assert again == {"changed": 0, "skipped": 0}
