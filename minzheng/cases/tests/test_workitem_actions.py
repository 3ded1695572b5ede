"""Worklist findings on the 待办 (the worklist pages list those items), and one click from a death to a 停保复核."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.test import Client

from minzheng.cases.models import Case
from minzheng.registry.models import PersonTag
from minzheng.testing import Cast, make_household
from minzheng.verification.items import sync_new
from minzheng.verification.models import BatchRun, WorklistItem
from minzheng.workitems.models import WorkItem
from minzheng.workitems.selectors import mine

pytestmark = pytest.mark.django_db


def _death_row(household: object, person: object, fp: str = "death-1") -> WorklistItem:
    """A finding as the batch stores it, with its 待办 (what `batchrun._store_items` does)."""
    run = BatchRun.objects.create(as_of=dt.date(2026, 12, 1), status=BatchRun.Status.DONE)
    row = WorklistItem.objects.create(
        run=run, kind=WorklistItem.Kind.NEW_DEATH, household=household, person=person,
        division_code=household.division_id, detail="民政 殡葬：2026-11-20 火化", fingerprint=fp,  # type: ignore[attr-defined]
    )  # fmt: skip
    sync_new(run, [row])
    return row


def test_findings_become_town_items_once(cast: Cast) -> None:
    household, people = make_household()
    row = _death_row(household, people[0])
    sync_new(row.run, [row])  # a resumed partition stores the same finding again: still one item
    items = list(mine(cast.town_officer))
    assert [i.kind for i in items] == ["new_death"] and "张**" in items[0].title
    assert items[0].data["household_no"] == household.household_no  # type: ignore[attr-defined]
    assert list(mine(cast.other_town_officer)) == []


def test_one_click_opens_a_stop_review_and_the_worklist_shows_it_settled(cast: Cast) -> None:
    household, people = make_household()
    PersonTag.objects.create(person=people[0], kind="dibao")
    _death_row(household, people[0])
    item = WorkItem.objects.get(source="verification_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    assert "开启停保复核" in client.get("/workitems/").content.decode()
    assert "开启停保复核" in client.get("/verification/worklist/").content.decode()  # the same item, the same button
    answer = client.post(f"/workitems/{item.pk}/act/open_stop_review/")
    case = Case.objects.get(case_type="tingbao")
    assert answer.status_code == 302 and unquote(answer["Location"]) == f"/cases/{case.case_no}/"
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and case.case_no in item.resolution
    assert case.drafted_from == item.fingerprint[:64]
    # The worklist page is a view of the 待办: the finding shows settled there, with the case.
    settled = client.get("/verification/worklist/?status=resolved").content.decode()
    assert case.case_no in settled and "/act/open_stop_review/" not in settled
    assert client.get("/verification/worklist/").context["page"].paginator.count == 0


def test_no_stop_review_for_a_household_without_benefits(cast: Cast) -> None:
    household, people = make_household()
    _death_row(household, people[0])
    item = WorkItem.objects.get(source="verification_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    page = client.post(f"/workitems/{item.pk}/act/open_stop_review/", follow=True).content.decode()
    assert "无需停保复核" in page
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN and not Case.objects.exists()


def test_settling_on_the_worklist_page_settles_the_one_item(cast: Cast) -> None:
    household, people = make_household()
    _death_row(household, people[0])
    item = WorkItem.objects.get(source="verification_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    back = "/verification/worklist/?kind=new_death"
    answer = client.post(f"/workitems/{item.pk}/resolve/", {"resolution": "已核实，非本户成员", "next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and "非本户成员" in item.resolution
    assert item.resolved_by == cast.town_officer and list(mine(cast.town_officer)) == []
    # Twice, or from another town, or back to another site: refused.
    again = client.post(f"/workitems/{item.pk}/resolve/", {"resolution": "再次", "next": "https://evil.example/"})
    assert again.status_code == 404
    other = Client()
    other.force_login(cast.other_town_officer)
    assert other.post(f"/workitems/{item.pk}/resolve/", {"resolution": "越权"}).status_code == 404


def test_a_county_checker_settles_from_the_worklist_though_the_item_is_the_towns(cast: Cast) -> None:
    """Who may settle a finding is whoever may handle the worklist it is listed on (registered SETTLERS)."""
    household, people = make_household()
    _death_row(household, people[0], fp="death-2")
    item = WorkItem.objects.get(source="verification_worklist")
    checker = cast.verification_center
    client = Client()
    client.force_login(checker)
    answer = client.post(f"/workitems/{item.pk}/resolve/", {"resolution": "已核实", "next": "/verification/worklist/"})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and item.resolved_by == checker


def _missing_row(household: object, person: object, policy: str = "dibao") -> object:
    from django.utils import timezone

    from minzheng.rules.items import sync_county
    from minzheng.rules.models import EligibilityRun
    from minzheng.rules.models import WorklistItem as RulesItem

    run = EligibilityRun.objects.create(
        as_of=dt.date(2026, 12, 1), status=EligibilityRun.Status.DONE, finished_at=timezone.now()
    )
    row = RulesItem.objects.create(
        run=run, kind="missing", policy_id=policy, policy_name="最低生活保障", household=household, person=person,
        division_code=household.division_id, amount_fen=118100, reason="家庭月人均收入低于当地低保标准",  # type: ignore[attr-defined]
    )  # fmt: skip
    sync_county(run, household.division_id[:6], [row])  # type: ignore[attr-defined]
    return row


def test_should_enrol_becomes_a_drafted_application_in_one_click(cast: Cast) -> None:
    household, people = make_household()
    _missing_row(household, people[0])
    item = WorkItem.objects.get(source="rules_worklist")
    assert "应享未享（预判）" in item.title
    client = Client()
    client.force_login(cast.town_officer)
    assert "起草申请" in client.get("/workitems/").content.decode()
    assert "起草申请" in client.get("/rules/worklist/").content.decode()  # the worklist lists the same item
    client.post(f"/workitems/{item.pk}/act/draft_application/", {"next": "/rules/worklist/"})
    case = Case.objects.get()
    assert (case.case_type, case.status, case.applicant_id) == ("dibao", "draft", people[0].pk)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and case.case_no in item.resolution
    assert case.case_no in client.get("/rules/worklist/?status=resolved").content.decode()
    # The draft is now the town's 待办: accept it once the household signs.
    assert any(i.data.get("case_no") == case.case_no for i in mine(cast.town_officer))


def test_policy_without_a_case_type_cannot_be_drafted(cast: Cast) -> None:
    household, people = make_household()
    _missing_row(household, people[0], policy="gaoling")
    item = WorkItem.objects.get(source="rules_worklist")
    client = Client()
    client.force_login(cast.town_officer)
    page = client.post(f"/workitems/{item.pk}/act/draft_application/", follow=True).content.decode()
    assert "不经社会救助案件办理" in page and not Case.objects.exists()


def test_producers_refresh_on_the_scheduler_and_leave_batch_findings_alone(cast: Cast) -> None:
    """The periodic producers are idempotent; the worklists' items are written by their runs, so the
    timer neither duplicates nor closes them."""
    from minzheng.scheduler.registry import SCHEDULES
    from minzheng.workitems.services import refresh_all

    household, people = make_household()
    _death_row(household, people[0])
    _missing_row(household, people[0])
    assert "workitems.refresh" in SCHEDULES
    first = refresh_all()
    assert "eldercare_fraud" in first and not {"verification_worklist", "rules_worklist"} & set(first)
    assert refresh_all() == first
    assert WorkItem.objects.filter(status=WorkItem.Status.OPEN).count() == 2
