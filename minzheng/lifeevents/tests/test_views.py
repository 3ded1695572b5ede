"""Pages: the window's form fans out; a department sees only its own items, in its jurisdiction; the family
page shows only its case; proofs data holds are never asked; export is masked and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.lifeevents import services
from minzheng.lifeevents.models import LifeEvent, Task
from minzheng.lifeevents.tests.conftest import REPORTER, TODAY, World, department_user
from minzheng.registry.services import LOOKUP_REFUSED
from minzheng.testing import Cast


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(world: World, **extra: object) -> dict[str, object]:
    return {
        "kind": "death",
        "person": world.head.pk,
        "died_on": TODAY.isoformat(),
        "has_pension": "on",
        **REPORTER,
        **extra,
    }


@pytest.mark.django_db
def test_window_form_opens_the_event_and_the_detail_read_is_audited(world: World, cast: Cast) -> None:
    client = client_for(cast.town_officer)
    page = client.get("/lifeevents/window/?kind=death&q=张建国")
    assert page.status_code == 200
    page = client.get(f"/lifeevents/window/?kind=death&person={world.head.pk}")
    assert "受理联办" in page.content.decode()
    response = client.post("/lifeevents/open/", _form(world))
    event = LifeEvent.objects.get(person=world.head)
    assert response.status_code == 302 and response["Location"] == f"/lifeevents/{event.pk}/"
    assert event.tasks.count() == 18
    detail = client.get(f"/lifeevents/{event.pk}/").content.decode()
    assert event.case.case_no in detail and "张**" in detail and "330212197803154412" not in detail
    assert AuditEvent.objects.filter(object_type="life_event", object_id=str(event.pk), action="view").exists()
    # Another town's officer: 404.
    assert client_for(cast.other_town_officer).get(f"/lifeevents/{event.pk}/").status_code == 404


@pytest.mark.django_db
def test_window_form_names_the_missing_field(world: World, cast: Cast) -> None:
    client = client_for(cast.town_officer)
    response = client.post("/lifeevents/open/", _form(world, died_on=""), follow=True)
    assert "请填写死亡日期" in response.content.decode()
    assert not LifeEvent.objects.exists()


@pytest.mark.django_db
def test_department_inbox_shows_only_its_own_items_and_only_it_may_act(world: World, cast: Cast) -> None:
    event = services.event_open(
        kind="death",
        person=world.head,
        facts={"died_on": TODAY, "has_pension": True},
        reporter=REPORTER,
        actor=cast.town_officer,
    )
    hrss = client_for(cast.department_staff)
    page = hrss.get("/lifeevents/inbox/").content.decode()
    assert "社会保障卡注销" in page and "户口注销" not in page
    police_task = event.tasks.get(item="hukou_cancel")
    assert hrss.get(f"/lifeevents/tasks/{police_task.pk}/").status_code == 404
    task = event.tasks.get(item="ssc_card")
    assert hrss.get(f"/lifeevents/tasks/{task.pk}/").status_code == 200
    hrss.post(f"/lifeevents/tasks/{task.pk}/", {"action": "done", "reply": "社保卡已注销", "reply_ref": "SSC-1"})
    task.refresh_from_db()
    assert (task.status, task.reply, task.replied_by) == ("done", "社保卡已注销", cast.department_staff)
    # A 人力社保 account of another county sees nothing of this one.
    other = User.objects.create_user(
        username="hrss_b", password="x", role="department_staff", jurisdiction="330203", unit="hrss"
    )
    assert "社会保障卡注销" not in client_for(other).get("/lifeevents/inbox/?tab=closed").content.decode()
    police = department_user("police")
    response = client_for(police).post(f"/lifeevents/tasks/{police_task.pk}/", {"action": "done", "reply": ""})
    police_task.refresh_from_db()
    assert police_task.status == "pending" and response.status_code == 302  # a reply is required


@pytest.mark.django_db
def test_family_page_shows_only_that_case_and_asks_only_what_no_data_proves(world: World, cast: Cast) -> None:
    # The funeral home's cremation record came first: the death and cremation certificates are data now.
    services.event_from_record(
        kind="death",
        person=world.head,
        source="cremation",
        source_ref="HH-7",
        facts={"died_on": TODAY.isoformat(), "cremated_on": TODAY.isoformat()},
    )
    mine = services.event_open(
        kind="death", person=world.head, facts={"died_on": TODAY}, reporter=REPORTER, actor=cast.town_officer
    )
    other = services.event_open(
        kind="death",
        person=world.elder,
        facts={"died_on": TODAY},
        reporter={**REPORTER, "reporter_id_number": ""},
        actor=cast.town_officer,
    )
    page = Client().get(f"/lifeevents/family/{mine.token}/").content.decode()
    assert mine.case.case_no in page and other.case.case_no not in page
    assert (
        "张**" in page and "王**" not in page and "330212" not in page.split("<main")[-1].replace(mine.case.case_no, "")
    )
    asked = page.split("还需提交的材料")[1].split("各部门办理情况")[0]
    assert "逝者居民身份证原件" in asked and "死亡医学证明" not in asked and "火化证明" not in asked
    assert "户口簿" not in asked and "关系证明" not in asked  # the registry proves both
    assert Client().get("/lifeevents/family/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_export_is_masked_and_audited(world: World, cast: Cast) -> None:
    services.event_open(
        kind="death", person=world.head, facts={"died_on": TODAY}, reporter=REPORTER, actor=cast.town_officer
    )
    ledger = client_for(cast.county_approver).get("/lifeevents/").content.decode()
    assert "身后-330212-" in ledger and "张**" in ledger and "每月办件量" in ledger
    assert client_for(cast.department_staff).get("/lifeevents/").status_code == 404  # departments: their inbox only
    response = client_for(cast.town_officer).get("/lifeevents/export.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(object_type="life_event", action="export").exists()
    assert Task.objects.count() == 18


@pytest.mark.django_db
def test_the_case_kernel_pages_show_a_life_event_case(world: World, cast: Cast) -> None:
    event = services.event_open(
        kind="death", person=world.head, facts={"died_on": TODAY}, reporter=REPORTER, actor=cast.town_officer
    )
    client = client_for(cast.town_officer)
    page = client.get(f"/cases/{event.case.case_no}/")
    assert page.status_code == 200 and "身后一件事" in page.content.decode()
    assert client.get("/workitems/").status_code == 200


@pytest.mark.django_db
def test_a_typed_partner_number_is_audited_and_rate_limited(world: World, cast: Cast, settings: object) -> None:
    settings.REGISTRY_LOOKUP_RATE = "0/minute"  # type: ignore[attr-defined]
    client = client_for(cast.town_officer)
    marriage = {**_form(world), "kind": "marriage", "registered_on": TODAY.isoformat()}
    page = client.post("/lifeevents/open/", {**marriage, "partner_id_number": world.elder.id_number}, follow=True)
    assert LOOKUP_REFUSED in page.content.decode() and not LifeEvent.objects.exists()
    row = AuditEvent.objects.get(object_type="person_number")
    assert (row.data["purpose"], row.data["refused"]) == ("一件事受理", True)
    assert client.post("/lifeevents/open/", _form(world)).status_code == 302  # no number typed: no lookup
    assert LifeEvent.objects.count() == 1 and AuditEvent.objects.filter(object_type="person_number").count() == 1
