"""Re-checks: a review date on creation (6 months where someone can work), one 待办 per due review, a
warning once overdue (never a stop), the next date after a person settles it."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.notifications.models import Notification
from minzheng.payments import services
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.recheck import recheck_items
from minzheng.payments.tags import tags_to_entitlements
from minzheng.payments.tests.sources_helpers import family
from minzheng.registry.services import person_update
from minzheng.testing import Cast, make_household
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import item_resolve

JAN = dt.date(2026, 1, 1)


def _create(subject, payee, programme: str = "dibao") -> Entitlement:  # type: ignore[no-untyped-def]
    return services.entitlement_create(
        programme_id=programme, subject=subject, payee=payee, amount_fen=80000, from_month=JAN,
        source="case", reason="测试", actor=None, members=subject.members.count() if programme == "dibao" else 1,
    )  # fmt: skip


@pytest.mark.django_db
def test_review_dates_yearly_when_stable_half_yearly_when_a_member_can_work(cast: Cast) -> None:
    household, people = make_household()  # 张建国 (48, can work)
    working = _create(household, people[0])
    assert working.next_review_on == dt.date(2026, 7, 1)
    elders, old = family("HQ-0009", [("孙老", dt.date(1940, 1, 1), "户主"), ("周老", dt.date(1942, 3, 1), "配偶")])
    stable = _create(elders, old[0])
    assert stable.next_review_on == dt.date(2027, 1, 1)
    tekun = _create(old[1], old[1], "tekun")
    assert tekun.next_review_on == dt.date(2027, 1, 1)


@pytest.mark.django_db
def test_due_reviews_become_one_item_and_overdue_ones_warn_once(cast: Cast) -> None:
    household, people = make_household()
    ent = _create(household, people[0])  # review due 2026-07-01, 30 days' notice
    assert recheck_items(dt.date(2026, 5, 1)) == {"items": 0, "overdue": 0, "closed": 0}
    assert recheck_items(dt.date(2026, 6, 5))["items"] == 1
    assert recheck_items(dt.date(2026, 6, 6))["items"] == 1
    item = WorkItem.objects.get(source="payments.recheck")
    assert (item.kind, item.due_on, item.role, item.subject_id) == (
        "recheck",
        dt.date(2026, 7, 1),
        "town_officer",
        str(ent.pk),
    )
    assert recheck_items(dt.date(2026, 7, 10))["overdue"] == 1
    recheck_items(dt.date(2026, 7, 11))
    assert Notification.objects.filter(kind="recheck_overdue").count() == 2  # town and county, once
    ent.refresh_from_db()
    assert ent.status == Status.ACTIVE  # never a silent stop
    item_resolve(item, actor=cast.town_officer, resolution="已入户复核，家庭情况无变化")
    ent.refresh_from_db()
    assert ent.next_review_on is not None and ent.next_review_on > dt.date(2026, 7, 1)
    assert WorkItem.objects.filter(source="payments.recheck").count() == 1


@pytest.mark.django_db
def test_unknown_amounts_are_listed_and_an_ended_entitlement_closes_its_item(cast: Cast) -> None:
    _, people = make_household()
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})
    tags_to_entitlements()
    assert recheck_items()["items"] == 1
    item = WorkItem.objects.get(source="payments.recheck")
    assert item.kind == "amount_unknown" and "金额待核对" in item.title
    services.entitlement_end(Entitlement.objects.get(), last_month=JAN, reason="停保", actor=None)
    assert recheck_items()["closed"] == 1
