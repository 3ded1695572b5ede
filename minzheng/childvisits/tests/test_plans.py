"""Visit plans: frequency by category (parameters), next due date, missed visits on the town's 待办 once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.childvisits import plans, services
from minzheng.childvisits.models import ChildVisit, VisitPlan
from minzheng.childvisits.tests.helpers import TODAY, child_with_file
from minzheng.rules.models import Parameter
from minzheng.testing import COUNTY, Cast
from minzheng.workdays.selectors import add_working_days
from minzheng.workitems import selectors as items
from minzheng.workitems.models import WorkItem


@pytest.mark.django_db
def test_monthly_beats_quarterly_and_a_county_parameter_wins(cast: Cast) -> None:
    left, _, _ = child_with_file("ET-1", categories=["left_behind_child"])
    both, _, _ = child_with_file("ET-2", categories=["left_behind_child", "unsupported_child"])
    none, _, _ = child_with_file("ET-3", categories=["distressed_child"])  # no frequency parameter: no plan
    assert plans.daily(TODAY)["planned"] == 2
    p_left, p_both = VisitPlan.objects.get(child=left), VisitPlan.objects.get(child=both)
    assert (p_left.category, p_left.interval_months) == ("left_behind_child", 3)
    assert (p_both.category, p_both.interval_months) == ("unsupported_child", 1)
    assert p_left.next_due_on == add_working_days(TODAY, 10)  # first visit within 10 working days
    assert not VisitPlan.objects.filter(child=none).exists()
    Parameter.objects.create(
        key="childvisits.interval_months.left_behind_child", region_code=COUNTY, value="2",
        value_type="int", effective_from=TODAY - dt.timedelta(days=1),
    )  # fmt: skip
    plans.daily(TODAY)
    assert VisitPlan.objects.get(child=left).interval_months == 2


@pytest.mark.django_db
def test_a_missed_visit_reaches_the_town_once_and_a_visit_closes_it(cast: Cast) -> None:
    cf, _, _ = child_with_file(categories=["guardian_missing_child"])
    ChildVisit.objects.create(
        child=cf, division_code=cf.division_code, visited_on=TODAY - dt.timedelta(days=45),
        observed="stable", findings="上次走访",
    )  # fmt: skip
    first = plans.daily(TODAY)
    again = plans.daily(TODAY)  # a re-run (or a manual run) finds the same item
    assert (first["overdue"], again["overdue"]) == (1, 1)
    open_items = WorkItem.objects.filter(source=plans.SOURCE, status=WorkItem.Status.OPEN)
    assert open_items.count() == 1
    item = open_items.get()
    assert item.role == "child_supervisor" and item.due_on == TODAY - dt.timedelta(days=45) + _month(TODAY)
    assert "逾期未走访" in item.title and "王小童" not in item.title  # masked
    assert list(items.mine(cast.child_supervisor)) == [item]  # the town's 儿童督导员
    assert not items.mine(cast.town_officer).filter(pk=item.pk).exists()

    services.visit_record(actor=cast.child_director, child=cf, observed="concern", findings="奶奶生病，需关注")
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED
    plan = VisitPlan.objects.get(child=cf)
    assert (plan.last_visited_on, plan.next_due_on > TODAY) == (TODAY, True)
    assert plans.daily(TODAY)["overdue"] == 0
    assert WorkItem.objects.filter(source=plans.SOURCE, status=WorkItem.Status.OPEN).count() == 0


def _month(today: dt.date) -> dt.timedelta:
    last = today - dt.timedelta(days=45)
    return plans.months_after(last, 1) - last


@pytest.mark.django_db
def test_a_plan_ends_when_the_category_goes(cast: Cast) -> None:
    cf, _, _ = child_with_file(categories=["unsupported_child"])
    plans.daily(TODAY)
    cf.category.categories = []
    cf.category.save()
    plans.daily(TODAY)
    assert VisitPlan.objects.get(child=cf).active is False


def test_months_after_clamps_the_day() -> None:
    assert plans.months_after(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert plans.months_after(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


@pytest.mark.django_db
def test_the_visit_form_answers_json_and_other_villages_get_404(cast: Cast, client: Any) -> None:
    cf, _, _ = child_with_file(categories=["left_behind_child"])
    other, _, _ = child_with_file("ET-9", categories=["left_behind_child"], division="330212100206")
    plans.daily(TODAY)
    client.force_login(cast.child_director)
    page = client.get(f"/childvisits/child/{cf.pk}/")
    assert page.status_code == 200 and "记录走访" in page.content.decode()
    assert client.get(f"/childvisits/child/{other.pk}/").status_code == 404
    body = {"observed": "stable", "findings": "在校就读，爷爷奶奶照料", "lat": "29.8", "lng": "121.7"}
    answer = client.post(f"/childvisits/child/{cf.pk}/visit/", body, HTTP_ACCEPT="application/json").json()
    assert answer == {"ok": True, "error": ""}
    visit = ChildVisit.objects.get(child=cf)
    assert (visit.latitude, visit.visitor, visit.categories) == (29.8, cast.child_director, ["left_behind_child"])
    empty = client.post(f"/childvisits/child/{cf.pk}/visit/", {"observed": "stable"}, HTTP_ACCEPT="application/json")
    assert "走访情况" in empty.json()["error"]
    plan = client.get("/childvisits/").content.decode()
    assert "王*童" in plan or "王*" in plan
    assert client.get("/childvisits/counts/").status_code == 200
    client.force_login(cast.child_supervisor)
    assert "瞻岐镇" in client.get("/childvisits/counts/").content.decode()


@pytest.mark.django_db
def test_a_parent_change_seen_at_a_visit_goes_to_the_child_file(cast: Cast, client: Any) -> None:
    from minzheng.children.models import ParentSituation

    cf, _, _ = child_with_file(categories=["left_behind_child"])
    client.force_login(cast.child_director)
    half = {"observed": "stable", "findings": "父亲回家", "parent": "father"}
    answer = client.post(f"/childvisits/child/{cf.pk}/visit/", half, HTTP_ACCEPT="application/json").json()
    assert answer["ok"] is False and "同时选择" in answer["error"]
    full = {**half, "parent_situation": "present", "parent_change": "父亲结束务工回家照料"}
    assert client.post(f"/childvisits/child/{cf.pk}/visit/", full, HTTP_ACCEPT="application/json").json()["ok"]
    row = ParentSituation.objects.get(child=cf)
    assert (row.parent, row.situation, row.source, row.since) == ("father", "present", "visit", TODAY)
    assert "父亲结束务工回家照料" in row.evidence
