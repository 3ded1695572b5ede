"""The time bank: a double confirmation credits once, the balance never goes below zero, a transfer
only within the local rule, hours drawn as a home-care order and given back when it is not served."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.volunteers import services_activity, services_timebank
from minzheng.volunteers.models import Account, Attendance, Entry, Recognition
from minzheng.volunteers.services import VolunteerError
from minzheng.volunteers.tests.helpers import World, served


def balance(person: Any) -> int:
    found = Account.objects.filter(person=person).first()
    return found.balance_minutes if found else 0


def test_a_double_confirmation_credits_once(world: World, cast: Any) -> None:
    att = served(world, cast, minutes=120)
    assert (att.status, att.minutes, att.in_distance_m) == (Attendance.Status.SIGNED_OUT, 120, 89)
    services_activity.confirm(att, actor=cast.social_worker)
    again = services_activity.confirm(att, actor=cast.town_officer)  # a second officer, a second click
    assert again.status == Attendance.Status.CONFIRMED and again.confirmed_by == cast.social_worker
    assert services_timebank.earn(again, actor=cast.social_worker) is None  # the effect re-run: nothing
    assert balance(world.volunteer.person) == 120
    assert Entry.objects.filter(kind=Entry.Kind.EARN).count() == 1
    assert AuditEvent.objects.filter(object_type="timebank_account", summary__contains="服务存入").count() == 1


def test_a_reduced_confirmation_needs_a_reason_and_never_exceeds_the_signed_time(world: World, cast: Any) -> None:
    att = served(world, cast, minutes=90)
    with pytest.raises(VolunteerError, match="应在 0 至 90 分钟之间"):
        services_activity.confirm(att, actor=cast.social_worker, minutes=91)
    with pytest.raises(VolunteerError, match="核减时长须说明原因"):
        services_activity.confirm(att, actor=cast.social_worker, minutes=60)
    services_activity.confirm(att, actor=cast.social_worker, minutes=60, note="中途离开半小时")
    assert balance(world.volunteer.person) == 60


def test_the_balance_never_goes_below_zero(world: World, cast: Any) -> None:
    services_activity.confirm(served(world, cast, minutes=60), actor=cast.social_worker)
    giver = Account.objects.get(person=world.volunteer.person)
    with pytest.raises(VolunteerError, match="余额不足：余额 1 小时，本次需 2 小时"):
        services_timebank.transfer(actor=cast.social_worker, giver=giver, receiver=world.spouse, minutes=120,
                                   request_key=uuid.uuid4().hex)  # fmt: skip
    assert balance(world.volunteer.person) == 60 and balance(world.spouse) == 0
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Account.objects.filter(pk=giver.pk).update(balance_minutes=-1)


def test_a_transfer_only_within_the_local_rule(world: World, cast: Any) -> None:
    services_activity.confirm(served(world, cast, minutes=180), actor=cast.social_worker)
    giver = Account.objects.get(person=world.volunteer.person)

    def give(receiver: Any, minutes: int, **kw: Any) -> Any:
        return services_timebank.transfer(actor=cast.social_worker, giver=giver, receiver=receiver, minutes=minutes,
                                          request_key=kw.pop("key", uuid.uuid4().hex), **kw)  # fmt: skip

    t = give(world.spouse, 60, key="same-form")
    assert give(world.spouse, 60, key="same-form").pk == t.pk  # the form sent twice: once
    assert (t.relation, balance(world.spouse), balance(world.volunteer.person)) == ("spouse", 60, 120)
    assert "330212" in t.rule_text and "年度上限 20 小时" in t.rule_text
    # 张小明 is 户主's 子: parent_child is allowed in 鄞州区 (the demo county's rule) ...
    assert give(world.son, 30).relation == "parent_child"
    # ... but not a person the registry cannot relate without a declaration and its proof
    from minzheng.eldercare.testing import make_elder

    stranger = make_elder().person
    with pytest.raises(VolunteerError, match="户籍中不能确认关系"):
        give(stranger, 30)
    # declared 祖孙: the national default (0) applies, 鄞州区 set no value → refused, naming the rule
    with pytest.raises(VolunteerError, match="本地规则不允许向祖父母（外祖父母）与孙子女转赠"):
        give(stranger, 30, declared_relation="grandparent", evidence="户口簿")
    declared = give(stranger, 30, declared_relation="parent_child", evidence="亲属关系证明")
    assert declared.relation_source.startswith("申报")
    # the year's cap: 20 hours a year in 鄞州区; 2 h given already
    services_activity.confirm(_more(world, cast, 60 * 25), actor=cast.social_worker)
    with pytest.raises(VolunteerError, match="超过年度上限 20 小时"):
        give(world.spouse, 60 * 19)
    assert Entry.objects.filter(kind=Entry.Kind.TRANSFER_OUT).count() == 3


def _more(world: World, cast: Any, minutes: int) -> Attendance:
    """A second, long time-bank activity so the volunteer has hours enough to reach the cap."""
    now = timezone.now()
    act = services_activity.activity_create(
        actor=cast.social_worker, title="助老长时服务", kind="care", division_code=world.activity.division_code,
        place="合一村", lat=world.activity.lat, lng=world.activity.lng, starts_at=now - dt.timedelta(minutes=minutes),
        ends_at=now + dt.timedelta(minutes=5), timebank=True,
    )  # fmt: skip
    att = services_activity.sign_in(actor=None, volunteer=world.volunteer, activity=act, lat=act.lat, lng=act.lng,
                                    client_at=act.starts_at)  # fmt: skip
    return services_activity.sign_out(actor=None, attendance=att, lat=act.lat, lng=act.lng, client_at=now)


def test_hours_are_drawn_as_a_care_order_and_given_back_when_not_served(world: World, cast: Any) -> None:
    from minzheng.eldercare import orders
    from minzheng.eldercare.entitlements import entitlement
    from minzheng.eldercare.models import OrderChannel
    from minzheng.eldercare.testing import make_care_world

    care = make_care_world(cast)
    services_activity.confirm(served(world, cast, minutes=150), actor=cast.social_worker)
    giver = Account.objects.get(person=world.volunteer.person)
    services_timebank.transfer(actor=cast.social_worker, giver=giver, receiver=care.elder.person, minutes=120,
                               request_key="t1", declared_relation="parent_child", evidence="亲属关系证明")  # fmt: skip
    holder = Account.objects.get(person=care.elder.person)
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(VolunteerError, match="余额不足"):
        services_timebank.draw(actor=cast.social_worker, account=holder, item_codes=["SC01", "SC02", "SC03", "SC05"],
                               window_start=start)  # fmt: skip
    d = services_timebank.draw(actor=cast.social_worker, account=holder, item_codes=["SC01"], window_start=start)
    assert d.order.channel == OrderChannel.TIMEBANK and d.minutes == d.order.minutes > 0
    assert balance(care.elder.person) == 120 - d.minutes
    # the elder's monthly government hours are not used by a time-bank order
    assert entitlement(care.elder, start.date()).booked_minutes == 0
    assert services_timebank.settle_draws() == 0  # not served yet: nothing to give back
    orders.order_cancel(actor=cast.hotline_operator, order=d.order, reason="老人住院")
    assert services_timebank.settle_draws() == 1 and services_timebank.settle_draws() == 0
    assert balance(care.elder.person) == 120
    assert Entry.objects.filter(kind=Entry.Kind.REFUND).count() == 1


def test_star_levels_come_from_the_data_and_are_awarded_once(world: World, cast: Any) -> None:
    from minzheng.volunteers import stars

    levels, source = stars.levels()
    assert [lv.hours for lv in levels] == [100, 300, 600, 1000, 1500] and "中国注册志愿者管理办法" in source
    services_activity.confirm(_more(world, cast, 100 * 60), actor=cast.social_worker)
    assert list(Recognition.objects.values_list("level", flat=True)) == [1]
    assert stars.award(world.volunteer, actor=None) == []
