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
    assert "姓名同音" in html
    only_deposit = client_for(cast.verification_center).get("/verification/matches/?feed=deposit").content.decode()
    assert "银行 存款</a> · 数据时点" in only_deposit and "死亡医学证明</a> · 数据时点" not in only_deposit
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
    # Each move is also the workflow kernel's typed event (the sibling set aside included).
    moves = AuditEvent.objects.filter(object_type="match_candidate", action="transition").order_by("pk")
    assert [(e.object_id, e.data["from"], e.data["to"]) for e in moves] == [
        (str(first.pk), "pending", "confirmed"),
        (str(second.pk), "pending", "rejected"),
        (str(third.pk), "pending", "rejected"),
    ]
    events = AuditEvent.objects.filter(object_type="match_candidate").exclude(action="transition").order_by("pk")
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


# --- issue 9: plain words, audited reads, bulk confirmation -------------------------------------


@pytest.mark.django_db
def test_queue_speaks_a_caseworkers_words(cast: Cast, queue: tuple) -> None:
    """Item 9: catalogue names, not feed ids; 匹配把握度 on a plain scale, not a log2 likelihood ratio."""
    html = client_for(cast.verification_center).get("/verification/matches/").content.decode()
    assert "卫健 死亡医学证明</a> · 数据时点 2026-06-01 · 第 5 行" in html
    assert ">卫健 死亡医学证明（待确认 2）</option>" in html and ">death（" not in html
    assert '匹配把握度 <b class="confidence">很高</b>（约 99.9% 以上' in html  # weight 12.5
    assert '匹配把握度 <b class="confidence">较低</b>' in html  # weight -2.0
    assert "合一村 第一网格" in html and "330212100201" not in html  # the village's name, not its code
    for internal in ("log2", "对数似然比", "权重", "death ·", "deposit ·"):
        assert internal not in html
    answer = client_for(cast.verification_center).post(
        f"/verification/matches/{queue[2].pk}/decide/", {"decision": "reject"}, follow=True
    )
    assert "已否定：银行 存款 第 9 行 → 张建国" in answer.content.decode()


@pytest.mark.django_db
def test_list_and_candidate_detail_reads_are_audited(cast: Cast, queue: tuple) -> None:
    """Item 3: each page of the queue and each candidate's page leaves a VIEW row naming the candidates."""
    first, second, third = queue
    client = client_for(cast.verification_center)
    assert client.get("/verification/matches/?feed=death").status_code == 200
    listed = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_type="match_candidate", object_id="")
    assert (
        sorted(listed.data["candidates"]) == sorted([first.pk, second.pk]) and listed.actor == cast.verification_center
    )
    detail = client.get(f"/verification/matches/{third.pk}/")
    assert detail.status_code == 200 and "张建国" in detail.content.decode()
    assert third.person.id_number not in detail.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="match_candidate", object_id=str(third.pk)).count() == 1
    assert client.get("/verification/matches/?status=confirmed").status_code == 200  # nothing shown: no row
    assert AuditEvent.objects.filter(action="view", object_type="match_candidate").count() == 2


@pytest.mark.django_db
def test_candidate_detail_is_404_outside_role_or_jurisdiction(cast: Cast, queue: tuple) -> None:
    from minzheng.accounts.services import user_create
    from minzheng.testing import PASSWORD, TOWN_B

    elsewhere = user_create(
        actor=None, username="hedui2", role="verification_center", jurisdiction=TOWN_B, password=PASSWORD
    )
    for user in (elsewhere, cast.town_officer, cast.auditor):
        assert client_for(user).get(f"/verification/matches/{queue[0].pk}/").status_code == 404
    assert not AuditEvent.objects.filter(object_type="match_candidate").exists()


def other_town_person(name: str = "王五") -> Person:
    from minzheng.core.idnumber import check_digit
    from minzheng.registry.services import household_create, person_create
    from minzheng.testing import TOWN_B

    household = household_create(actor=None, household_no="HQ-B001", division_code=TOWN_B + "200")
    first17 = "33021219650101123"
    return person_create(
        actor=None, household=household, name=name, id_number=first17 + check_digit(first17), relation="户主"
    )


@pytest.fixture
def big_queue(cast: Cast) -> dict[str, object]:
    """Rows 20–24 one candidate each (weights 11, 11, 6, 1, -3); row 30 two strong candidates; one elsewhere."""
    _, people = make_household()
    head, spouse, child = people
    single = [
        candidate(p, 20 + i, weight=w) for i, (p, w) in enumerate(zip(people * 2, (11, 11, 6, 1, -3), strict=False))
    ]
    twins = [candidate(head, 30, weight=12.0), candidate(spouse, 30, weight=11.5)]
    elsewhere = candidate(other_town_person(), 40, weight=14.0)
    sibling = candidate(child, 20, weight=-3.5)  # row 20's weaker second candidate, below the step
    return {"single": single, "twins": twins, "elsewhere": elsewhere, "sibling": sibling}


@pytest.mark.django_db
def test_bulk_confirm_previews_then_confirms_each_through_the_one_candidate_service(
    cast: Cast, big_queue: dict
) -> None:
    """Item 9: 1,809 candidates need not be confirmed one by one; the same effects as one confirmation apply."""
    from minzheng.accounts.services import user_create
    from minzheng.testing import PASSWORD, TOWN_A

    reviewer = user_create(
        actor=None, username="hedui3", role="verification_center", jurisdiction=TOWN_A, password=PASSWORD
    )
    client = client_for(reviewer)
    preview = client.get("/verification/matches/", {"bulk": "high"}).content.decode()
    # 较高 (weight ≥ 5): rows 20, 21, 22; row 30 has two candidates and is left for one-by-one review
    assert "把握度较高及以上的待确认候选共 <b>3</b> 条可批量确认；另有 1 行须逐条复核" in preview
    assert 'name="expected" value="3"' in preview
    before = AuditEvent.objects.count()
    answer = client.post(
        "/verification/matches/confirm-bulk/",
        {"level": "high", "expected": "3", "reason": "抽查 3 条均为本人", "feed": ""},
        follow=True,
    )
    assert "已批量确认 3 条（把握度较高及以上）；另有 1 行有多个候选或已确认为他人" in answer.content.decode()
    single = big_queue["single"]
    for c in single:
        c.refresh_from_db()
    assert [c.status for c in single] == ["confirmed"] * 3 + ["pending"] * 2
    assert single[0].reason == "批量确认（把握度较高及以上）：抽查 3 条均为本人"
    assert single[0].reviewed_by == reviewer
    sibling = big_queue["sibling"]
    sibling.refresh_from_db()
    assert sibling.status == "rejected" and sibling.reason == "同一行已确认为另一居民"  # match_confirm's effect
    for c in [*big_queue["twins"], big_queue["elsewhere"]]:
        c.refresh_from_db()
        assert c.status == "pending"  # ambiguous row, and outside the jurisdiction
    new = AuditEvent.objects.order_by("pk")[before:]
    confirms = [e for e in new if e.action == "verification.match_confirm"]
    assert sorted(int(e.object_id) for e in confirms) == sorted(c.pk for c in single[:3])
    (summary,) = [e for e in new if e.action == "verification.match_confirm_bulk"]
    assert sorted(summary.data["candidates"]) == sorted(c.pk for c in single[:3])
    assert summary.reason == "抽查 3 条均为本人" and "批量确认匹配 3 条" in summary.summary


@pytest.mark.django_db
def test_bulk_confirm_needs_a_reason_and_the_previewed_count(cast: Cast, big_queue: dict) -> None:
    client = client_for(cast.verification_center)
    no_reason = client.post("/verification/matches/confirm-bulk/", {"level": "very_high", "expected": "3"}, follow=True)
    assert "批量确认须填写事由" in no_reason.content.decode()
    stale = client.post(
        "/verification/matches/confirm-bulk/", {"level": "very_high", "expected": "5", "reason": "核实"}, follow=True
    )
    assert "预览时 5 条，现在 3 条" in stale.content.decode()
    low = client.post("/verification/matches/confirm-bulk/", {"level": "low", "expected": "7", "reason": "x"})
    assert low.status_code == 302  # below even odds is never a bulk step
    assert not MatchCandidate.objects.filter(status="confirmed").exists()
    assert not AuditEvent.objects.filter(action__startswith="verification.match_confirm").exists()


@pytest.mark.django_db
def test_bulk_confirm_is_for_the_verification_center_only(cast: Cast, big_queue: dict) -> None:
    for user in (cast.town_officer, cast.county_approver, cast.sysadmin):
        answer = client_for(user).post(
            "/verification/matches/confirm-bulk/", {"level": "high", "expected": "3", "reason": "x"}
        )
        assert answer.status_code == 404
    assert not MatchCandidate.objects.filter(status="confirmed").exists()
