"""Entitlements from dated parameters, the subsidy/co-payment split to the fen, statements and bills."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from minzheng.audit.models import AuditEvent
from minzheng.eldercare import orders, services
from minzheng.eldercare.entitlements import entitlement
from minzheng.eldercare.exports import statement_export
from minzheng.eldercare.models import ElderStatus, OrderStatus, ServiceItem, Statement
from minzheng.eldercare.money import split
from minzheng.eldercare.selectors import elder_bill
from minzheng.eldercare.testing import CareWorld
from minzheng.eldercare.tests.helpers import at, finish, place
from minzheng.rules.services import params_import


def regional(tmp_path: Path, key: str, value: int, region: str = "330212", start: str = "2026-11-01") -> None:
    path = tmp_path / f"{key}.yaml"
    path.write_text(
        f"{key}:\n  unit: x\n  values:\n"
        f'    - {{region: "{region}", from: {start}, value: {value}, reference: "测试"}}\n',
        encoding="utf-8",
    )
    params_import(actor=None, path=path)


def test_entitlement_by_status_and_level_from_parameters(care: CareWorld) -> None:
    ent = entitlement(care.elder, dt.date(2026, 11, 15))
    assert (ent.status, ent.level, ent.hours, ent.share_pct) == ("dibao", 2, 30, 80)
    assert ent.sources[0].startswith("每月服务时长 30 小时/月（全国，2020-01-01 起；依据 潍坊市峡山区")
    care.elder.status = ElderStatus.TEKUN
    assert (
        entitlement(care.elder, dt.date(2026, 11, 15)).share_pct,
        entitlement(care.elder, dt.date(2026, 11, 1)).hours,
    ) == (100, 45)


def test_other_elders_from_the_elderly_age_get_the_elderly_floor(tmp_path: Path, care: CareWorld) -> None:
    """宁波 (seed 002): homecare.hours_elderly from homecare.elderly_age, the rules homecare policy's keys."""
    care.elder.status, care.elder.ability_level = ElderStatus.OTHER, 1  # born 1944: 82 in 2026
    ent = entitlement(care.elder, dt.date(2026, 11, 15))
    assert ent.hours == 10 and "82 周岁，达到高龄服务年龄 80 岁" in ent.sources[0]
    care.elder.ability_level = 3  # the level's 20 hours are above the floor
    assert entitlement(care.elder, dt.date(2026, 11, 15)).hours == 20
    care.elder.ability_level = 1
    regional(tmp_path, "homecare.elderly_age", 85)
    assert entitlement(care.elder, dt.date(2026, 11, 15)).hours == 0
    care.elder.status = ElderStatus.DIBAO  # the floor is for "other" elders only: 低保 轻度 is 20
    assert entitlement(care.elder, dt.date(2026, 11, 15)).hours == 20


def test_a_county_row_from_a_date_overrides_the_national_default(tmp_path: Path, care: CareWorld) -> None:
    regional(tmp_path, "eldercare.hours.dibao.2", 32)
    assert entitlement(care.elder, dt.date(2026, 10, 31)).hours == 30
    later = entitlement(care.elder, dt.date(2026, 11, 1))
    assert later.hours == 32 and "鄞州" not in later.sources[0] and "330212，2026-11-01 起" in later.sources[0]


def test_no_assessment_means_no_hours(care: CareWorld) -> None:
    care.elder.ability_level = None
    ent = entitlement(care.elder, dt.date(2026, 11, 15))
    assert (ent.hours, ent.problem) == (0, "尚未完成能力评估，暂无服务时长")


def test_remaining_hours_count_booked_and_done_minutes(cast: Any, care: CareWorld) -> None:
    finish(cast, place(cast, care.elder, ["SC01", "SC02"], at(3, 9)))  # 90 minutes done
    place(cast, care.elder, ["SC09"], at(20, 9))  # 60 minutes booked
    place(cast, care.elder, ["SC09"], at(2, 9, month=10))  # another month: not counted
    ent = entitlement(care.elder, dt.date(2026, 11, 15))
    assert (ent.used_minutes, ent.booked_minutes, ent.remaining_minutes) == (90, 60, 30 * 60 - 150)
    assert ent.remaining_text == "27 小时 30 分钟"


@pytest.mark.parametrize(
    ("price", "share", "minutes", "covered", "subsidy", "copay"),
    [
        (6000, 80, 90, 90, 4800, 1200),
        (1999, 80, 30, 30, 1599, 400),  # 1599.2 → rounded down
        (1999, 100, 30, 30, 1999, 0),
        (1999, 30, 30, 30, 599, 1400),  # 599.7 → rounded down
        (6000, 80, 90, 60, 3200, 2800),  # 60 of 90 minutes left in the month
        (6000, 80, 90, 0, 0, 6000),
        (1, 30, 10, 10, 0, 1),
    ],
)
def test_split_adds_up_to_the_fen(price: int, share: int, minutes: int, covered: int, subsidy: int, copay: int) -> None:
    parts = split(price, share_pct=share, minutes=minutes, covered_minutes=covered)
    assert (parts.subsidy_fen, parts.copay_fen) == (subsidy, copay)
    assert parts.subsidy_fen + parts.copay_fen == price


def test_checked_out_order_is_split_by_the_elders_share(cast: Any, care: CareWorld) -> None:
    ServiceItem.objects.filter(code="SC08").update(price_fen=1999)
    order = finish(cast, place(cast, care.elder, ["SC08"], at(3, 9)))
    assert (order.price_fen, order.subsidy_fen, order.copay_fen) == (1999, 1599, 400)


def test_only_items_done_are_billed(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare.tests.helpers import to_service

    order = to_service(cast, place(cast, care.elder, ["SC01", "SC02"], at(3, 9)))
    done = order.lines.get(item__code="SC02").pk
    orders.order_check_out(
        actor=cast.caregiver, order=order, lat=None, lng=None, done_line_ids=[done], confirmed_by="周建华",
        reason="定位失败",
    )  # fmt: skip
    order.refresh_from_db()
    assert (order.minutes, order.price_fen, order.subsidy_fen, order.copay_fen) == (30, 2000, 1600, 400)


def test_minutes_beyond_the_entitlement_get_no_subsidy(tmp_path: Path, cast: Any, care: CareWorld) -> None:
    regional(tmp_path, "eldercare.hours.dibao.2", 2)  # 120 minutes this month
    first = finish(cast, place(cast, care.elder, ["SC01"], at(3, 9)))  # 60 min, 4000 fen
    second = finish(cast, place(cast, care.elder, ["SC01", "SC02"], at(4, 9)))  # 90 min, 6000 fen, 60 covered
    assert (first.subsidy_fen, first.copay_fen) == (3200, 800)
    assert (second.subsidy_fen, second.copay_fen) == (3200, 2800)


def _visited(cast: Any, care: CareWorld, day: int, codes: list[str]):  # type: ignore[no-untyped-def]
    order = finish(cast, place(cast, care.elder, codes, at(day, 9)))
    return orders.order_follow_up(actor=cast.hotline_operator, order=order, result="满意", satisfaction=5)


def test_statement_totals_approval_and_bill(cast: Any, care: CareWorld) -> None:
    ServiceItem.objects.filter(code="SC08").update(price_fen=1999)
    a = _visited(cast, care, 3, ["SC01", "SC02"])  # 6000 → 4800 + 1200
    b = _visited(cast, care, 5, ["SC08"])  # 1999 → 1599 + 400
    finish(cast, place(cast, care.elder, ["SC09"], at(6, 9)))  # not followed up yet: not in the statement
    statement = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    assert (statement.order_count, statement.price_fen, statement.subsidy_fen, statement.copay_fen) == (
        2,
        7999,
        6399,
        1600,
    )
    # Re-building the same month changes nothing.
    again = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    assert again.pk == statement.pk and again.order_count == 2
    services.statement_approve(actor=cast.county_approver, statement=statement)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED and statement.approved_by == cast.county_approver
    for order in (a, b):
        order.refresh_from_db()
        assert order.status == OrderStatus.SETTLED
    with pytest.raises(services.EldercareError, match="已审核"):
        services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    bill = elder_bill(care.elder, dt.date(2026, 11, 1))
    assert (len(bill.orders), bill.price_fen, bill.subsidy_fen, bill.copay_fen) == (3, 11999, 9599, 2400)


def test_statement_excel_export_is_audited(cast: Any, care: CareWorld) -> None:
    _visited(cast, care, 3, ["SC01", "SC02"])
    statement = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    path = statement_export(actor=cast.county_approver, statement=statement)
    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["订单号", "服务日期", "服务对象"]
    assert rows[2][2] == "周阿婆" and rows[2][3].startswith("3302") and "*" in rows[2][3]
    assert rows[2][7:] == ["60.00", "48.00", "12.00"]
    assert rows[3][0] == "合计" and rows[3][7:] == ["60.00", "48.00", "12.00"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="eldercare_statement")
    assert event.actor == cast.county_approver and event.data["file"] == path.name


def test_an_empty_or_approved_statement_cannot_be_approved(cast: Any, care: CareWorld) -> None:
    statement = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 10, 1))
    with pytest.raises(services.EldercareError, match="没有订单"):
        services.statement_approve(actor=cast.county_approver, statement=statement)
