"""核对工作清单 rows on the 待办, and one click from a death to a 停保复核."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.test import Client

from minzheng.cases.models import Case
from minzheng.registry.models import PersonTag
from minzheng.testing import Cast, make_household
from minzheng.verification.models import BatchRun, WorklistItem
from minzheng.verification.services import worklist_mark_handled
from minzheng.workitems.models import WorkItem
from minzheng.workitems.selectors import mine
from minzheng.workitems.services import refresh

pytestmark = pytest.mark.django_db


def _death_row(household: object, person: object, fp: str = "death-1") -> WorklistItem:
    run = BatchRun.objects.create(as_of=dt.date(2026, 12, 1), status=BatchRun.Status.DONE)
    return WorklistItem.objects.create(
        run=run, kind=WorklistItem.Kind.NEW_DEATH, household=household, person=person,
        division_code=household.division_id, detail="民政 殡葬：2026-11-20 火化", fingerprint=fp,  # type: ignore[attr-defined]
    )  # fmt: skip


def test_worklist_rows_become_town_items_and_refresh_is_idempotent(cast: Cast) -> None:
    household, people = make_household()
    _death_row(household, people[0])
    assert refresh("verification_worklist") == {"open": 1, "closed": 0}
    assert refresh("verification_worklist") == {"open": 1, "closed": 0}
    items = list(mine(cast.town_officer))
    assert [i.kind for i in items] == ["new_death"] and "张**" in items[0].title
    assert list(mine(cast.other_town_officer)) == []


def test_one_click_opens_a_stop_review_and_settles_both_queues(cast: Cast) -> None:
    household, people = make_household()
    PersonTag.objects.create(person=people[0], kind="dibao")
    row = _death_row(household, people[0])
    refresh("verification_worklist")
    item = WorkItem.objects.get(source="verification_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    assert "开启停保复核" in client.get("/workitems/").content.decode()
    answer = client.post(f"/workitems/{item.pk}/act/open_stop_review/")
    case = Case.objects.get(case_type="tingbao")
    assert answer.status_code == 302 and unquote(answer["Location"]) == f"/cases/{case.case_no}/"
    item.refresh_from_db()
    row.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and case.case_no in item.resolution
    assert row.status == WorklistItem.Status.HANDLED and case.case_no in row.handled_note
    assert case.drafted_from == item.fingerprint[:64]


def test_no_stop_review_for_a_household_without_benefits(cast: Cast) -> None:
    household, people = make_household()
    _death_row(household, people[0])
    refresh("verification_worklist")
    item = WorkItem.objects.get(source="verification_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    page = client.post(f"/workitems/{item.pk}/act/open_stop_review/", follow=True).content.decode()
    assert "无需停保复核" in page
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN and not Case.objects.exists()


def test_handling_on_the_worklist_page_closes_the_item(cast: Cast) -> None:
    household, people = make_household()
    row = _death_row(household, people[0])
    refresh("verification_worklist")
    worklist_mark_handled(actor=cast.town_officer, item=row, note="已核实，非本户成员")
    item = WorkItem.objects.get(source="verification_worklist")
    assert item.status == WorkItem.Status.RESOLVED and "非本户成员" in item.resolution


def _missing_row(household: object, person: object, policy: str = "dibao") -> object:
    from django.utils import timezone

    from minzheng.rules.models import EligibilityRun
    from minzheng.rules.models import WorklistItem as RulesItem

    run = EligibilityRun.objects.create(
        as_of=dt.date(2026, 12, 1), status=EligibilityRun.Status.DONE, finished_at=timezone.now()
    )
    return RulesItem.objects.create(
        run=run, kind="missing", policy_id=policy, policy_name="最低生活保障", household=household, person=person,
        division_code=household.division_id, amount_fen=118100, reason="家庭月人均收入低于当地低保标准",  # type: ignore[attr-defined]
    )  # fmt: skip


def test_should_enrol_becomes_a_drafted_application_in_one_click(cast: Cast) -> None:
    from minzheng.rules.models import WorklistItem as RulesItem

    household, people = make_household()
    row = _missing_row(household, people[0])
    assert refresh("rules_worklist") == {"open": 1, "closed": 0}
    item = WorkItem.objects.get(source="rules_worklist")
    assert "应享未享（预判）" in item.title
    client = Client()
    client.force_login(cast.town_officer)
    assert "起草申请" in client.get("/workitems/").content.decode()
    client.post(f"/workitems/{item.pk}/act/draft_application/")
    case = Case.objects.get()
    assert (case.case_type, case.status, case.applicant_id) == ("dibao", "draft", people[0].pk)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and case.case_no in item.resolution
    assert RulesItem.objects.get(pk=row.pk).status == RulesItem.Status.HANDLED  # type: ignore[attr-defined]
    # The draft is now the town's 待办: accept it once the household signs.
    assert any(i.data.get("case_no") == case.case_no for i in mine(cast.town_officer))


def test_policy_without_a_case_type_cannot_be_drafted(cast: Cast) -> None:
    household, people = make_household()
    _missing_row(household, people[0], policy="gaoling")
    refresh("rules_worklist")
    item = WorkItem.objects.get(source="rules_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    page = client.post(f"/workitems/{item.pk}/act/draft_application/", follow=True).content.decode()
    assert "不经社会救助案件办理" in page and not Case.objects.exists()


def test_all_producers_refresh_on_the_scheduler_and_stay_idempotent(cast: Cast) -> None:
    from minzheng.scheduler.registry import SCHEDULES
    from minzheng.workitems.services import refresh_all

    household, people = make_household()
    _death_row(household, people[0])
    assert "workitems.refresh" in SCHEDULES
    first = refresh_all()
    assert set(first) >= {"verification_worklist", "rules_worklist", "eldercare_fraud"}
    assert first["verification_worklist"] == {"open": 1, "closed": 0}
    assert refresh_all() == first
