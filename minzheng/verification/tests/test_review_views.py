"""匹配复核 page: side by side, masked, filterable; 确认/否定 audited and only for the 核对中心."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.core.masking import mask_id_number
from minzheng.registry.models import Person
from minzheng.testing import Cast, make_household
from minzheng.verification.models import MatchCandidate

AS_OF = dt.date(2026, 6, 1)


def candidate(person: Person, row: int, *, feed: str = "death", weight: float = 12.5) -> MatchCandidate:
    return MatchCandidate.objects.create(
        feed_id=feed,
        as_of=AS_OF,
        row=row,
        row_name="章建国",
        row_id_raw=person.id_number[:17] + "0",
        row_facts={"死亡日期": "2026-03-02"},
        person=person,
        division_code=person.division_code,
        match_weight=weight,
        match_probability=0.9998,
        evidence="姓名同音，出生日期一致，身份号码前17位一致（校验位错）",
    )


@pytest.fixture
def queue(cast: Cast) -> tuple[MatchCandidate, MatchCandidate, MatchCandidate]:
    _, people = make_household()
    head, spouse = people[0], people[1]
    return candidate(head, 5), candidate(spouse, 5, weight=-2.0), candidate(head, 9, feed="deposit")


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_queue_shows_row_and_person_side_by_side_masked(cast: Cast, queue: tuple) -> None:
    first, _, _ = queue
    page = client_for(cast.verification_center).get("/verification/matches/")
    html = page.content.decode()
    assert page.status_code == 200 and "匹配复核" in html
    assert "章建国" in html and "张建国" in html and "死亡日期：2026-03-02" in html
    assert mask_id_number(first.person.id_number) in html and first.person.id_number not in html
    assert first.row_id_raw not in html  # the feed's wrong number is masked too
    assert "权重 12.5" in html and "姓名同音" in html
    only_deposit = client_for(cast.verification_center).get("/verification/matches/?feed=deposit").content.decode()
    assert "deposit · 数据时点" in only_deposit and "death · 数据时点" not in only_deposit
    home = client_for(cast.verification_center).get("/").content.decode()
    assert "/verification/matches/" in home  # the nav entry


@pytest.mark.django_db
def test_confirm_and_reject_are_audited_with_reason(cast: Cast, queue: tuple) -> None:
    first, second, third = queue
    client = client_for(cast.verification_center)
    answer = client.post(
        f"/verification/matches/{first.pk}/decide/",
        {"decision": "confirm", "reason": "与户籍核实一致", "next": "/verification/matches/?feed=death"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/verification/matches/?feed=death"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == MatchCandidate.Status.CONFIRMED and first.reason == "与户籍核实一致"
    assert first.reviewed_by == cast.verification_center and first.reviewed_at is not None
    assert second.status == MatchCandidate.Status.REJECTED  # the same row's other candidate
    client.post(f"/verification/matches/{third.pk}/decide/", {"decision": "reject"})
    third.refresh_from_db()
    assert third.status == MatchCandidate.Status.REJECTED
    events = AuditEvent.objects.filter(object_type="match_candidate").order_by("pk")
    assert [(e.action, e.reason) for e in events] == [
        ("verification.match_confirm", "与户籍核实一致"),
        ("verification.match_reject", ""),
    ]
    assert events[0].actor == cast.verification_center and "权重 12.5" in events[0].summary
    confirmed = client.get("/verification/matches/?status=confirmed").content.decode()
    assert "与户籍核实一致" in confirmed and "已确认" in confirmed


@pytest.mark.django_db
def test_other_roles_get_404_and_change_nothing(cast: Cast, queue: tuple) -> None:
    first, _, _ = queue
    for user in (cast.town_officer, cast.county_approver, cast.village_worker, cast.sysadmin, cast.auditor):
        client = client_for(user)
        assert client.get("/verification/matches/").status_code == 404
        assert client.post(f"/verification/matches/{first.pk}/decide/", {"decision": "confirm"}).status_code == 404
        assert "/verification/matches/" not in client.get("/").content.decode()
    first.refresh_from_db()
    assert first.status == MatchCandidate.Status.PENDING
    assert not AuditEvent.objects.filter(object_type="match_candidate").exists()
    assert Client().get("/verification/matches/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_out_of_jurisdiction_candidate_is_404(cast: Cast, queue: tuple) -> None:
    from minzheng.accounts.services import user_create
    from minzheng.testing import PASSWORD, TOWN_B

    first, _, _ = queue
    elsewhere = user_create(
        actor=None, username="hedui2", role="verification_center", jurisdiction=TOWN_B, password=PASSWORD
    )
    client = client_for(elsewhere)
    assert "章建国" not in client.get("/verification/matches/").content.decode()
    assert client.post(f"/verification/matches/{first.pk}/decide/", {"decision": "confirm"}).status_code == 404


@pytest.mark.django_db
def test_confirming_a_second_person_for_a_row_is_refused_in_chinese(cast: Cast, queue: tuple) -> None:
    first, second, _ = queue
    client = client_for(cast.verification_center)
    client.post(f"/verification/matches/{first.pk}/decide/", {"decision": "confirm"})
    page = client.post(f"/verification/matches/{second.pk}/decide/", {"decision": "confirm"}, follow=True)
    assert "已确认匹配到另一居民" in page.content.decode()
    second.refresh_from_db()
    assert second.status == MatchCandidate.Status.REJECTED
