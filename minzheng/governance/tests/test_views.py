"""The pages: each list renders for the village worker, the town officer and the county; masked lists,
audited detail reads, 404 across towns, steps through the page, Excel export, the public board."""

from __future__ import annotations

from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.governance import services_credit as credit
from minzheng.governance import services_mediation as mediation
from minzheng.governance import services_questions as ledger
from minzheng.governance.models import Question
from minzheng.governance.tests.conftest import HEYI, LUPU, ago, client_for
from minzheng.registry.models import Household
from minzheng.testing import Cast

PAGES = [
    "/governance/topics/",
    "/governance/topics/new/",
    "/governance/questions/",
    "/governance/meetings/new/",
    "/governance/credit/",
    "/governance/credit/rules/new/",
    "/governance/mediation/",
    "/governance/mediation/cases/new/",
    "/governance/mediation/committees/new/",
    "/governance/community/",
    "/governance/community/ratings/new/",
    "/governance/community/public/new/",
    "/governance/community/noproof/new/",
]


def _question(cast: Cast, division: str = HEYI) -> Question:
    officer = cast.town_officer if division == HEYI else cast.other_town_officer
    meeting = ledger.meeting_create(
        division_code=division, held_on=ago(10), place="礼堂", reporter="主任", attendance=50, report="三务三资",
        actor=officer,
    )  # fmt: skip
    return ledger.question_record(
        meeting, category="village", text="路灯何时修？", asker_name="张建国", asker_phone="13805741234", actor=officer
    )


def test_every_page_opens_for_the_worker_and_not_for_others(cast: Cast) -> None:
    worker, town = client_for(cast.village_worker), client_for(cast.town_officer)
    for page in PAGES:
        assert worker.get(page).status_code == 200, page
        assert town.get(page).status_code == 200, page
    assert client_for(cast.county_approver).get("/governance/questions/").status_code == 200
    assert client_for(cast.county_approver).get("/governance/topics/new/").status_code == 404  # reads only
    assert client_for(cast.caregiver).get("/governance/credit/").status_code == 404


def test_question_through_the_pages_masked_list_audited_detail(cast: Cast) -> None:
    q = _question(cast)
    worker = client_for(cast.village_worker)
    listing = worker.get("/governance/questions/").content.decode()
    assert "路灯何时修" in listing and "张建国" not in listing
    detail = worker.get(f"/governance/questions/{q.pk}/").content.decode()
    assert "张建国" in detail and "138****1234" in detail and "13805741234" not in detail
    assert AuditEvent.objects.filter(object_type="gov_question", action="view", object_id=str(q.pk)).exists()
    r = worker.post(
        f"/governance/questions/{q.pk}/assign/", {"assignee_kind": "department", "assignee": "镇城建办", "days": "5"}
    )
    assert r.status_code == 302
    worker.post(f"/governance/questions/{q.pk}/answer/", {"answer": "已列入本月维修计划"})
    page = worker.post(f"/governance/questions/{q.pk}/confirm/", {"way": "phone", "comment": "满意"}, follow=True)
    assert Question.objects.get(pk=q.pk).status == "closed", page.content.decode()
    xlsx = worker.get("/governance/questions/?show=all&export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(object_type="gov_export", action="export").exists()


def test_other_town_is_404_and_not_listed(cast: Cast) -> None:
    far = _question(cast, LUPU)
    town = client_for(cast.town_officer)  # 瞻岐镇
    assert town.get(f"/governance/questions/{far.pk}/").status_code == 404
    assert town.post(f"/governance/questions/{far.pk}/answer/", {"answer": "x"}).status_code == 404
    assert town.get(f"/governance/meetings/{far.meeting_id}/").status_code == 404
    assert "路灯何时修" not in town.get("/governance/questions/").content.decode()
    assert client_for(cast.other_town_officer).get(f"/governance/questions/{far.pk}/").status_code == 200


def test_public_board_shows_no_personal_data(cast: Cast, household: Household) -> None:
    q = _question(cast)
    ledger.question_assign(q, assignee_kind="person", assignee="村会计", days=3, actor=cast.village_worker)
    credit.rules_adopt(HEYI, effective_from=ago(30), actor=cast.village_worker)
    rule = credit.rules_in_force(HEYI, ago(0))[0]
    credit.points_record(household, rule, on=ago(1), evidence="志愿服务 4 小时", actor=cast.village_worker)
    credit.item_add(division_code=HEYI, name="肥皂", points=5, stock=3, actor=cast.village_worker)
    body = Client().get(f"/gongkai/{HEYI}/").content.decode()
    assert "路灯何时修" in body and "村会计" in body and "肥皂" in body
    assert "张" not in body.replace("张贴", "") and "1380574" not in body and household.household_no not in body
    assert Client().get("/gongkai/330212100000/").status_code == 404  # a town has no board of its own


def test_household_ledger_redeem_page_and_mediation_case(cast: Cast, household: Household) -> None:
    worker = client_for(cast.village_worker)
    credit.rules_adopt(HEYI, effective_from=ago(30), actor=cast.village_worker)
    item = credit.item_add(division_code=HEYI, name="洗衣液", points=15, stock=2, actor=cast.village_worker)
    page = worker.post(f"/governance/credit/households/{household.pk}/redeem/", {"item": item.pk, "quantity": 1})
    follow = worker.get(page["Location"]).content.decode()
    assert "积分不足：余额 0 分" in follow
    assert AuditEvent.objects.filter(object_type="gov_credit", action="view", object_id=str(household.pk)).exists()
    committee = mediation.committee_create(
        division_code=HEYI,
        name="合一村人民调解委员会",
        kind="village",
        established_on=ago(400),
        actor=cast.village_worker,
    )
    mediation.mediator_add(committee, name="钱调解", title="director", actor=cast.village_worker)
    r = worker.post(
        "/governance/mediation/cases/new/",
        {
            "division_code": HEYI, "committee": committee.pk, "type": "neighbour", "facts": "宅基地滴水纠纷",
            "received_on": ago(2).isoformat(), "applicant": "张建国", "applicant_id": "330212197803154412",
            "respondent": "李四",
        },
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    listing = worker.get("/governance/mediation/").content.decode()
    assert "张**" in listing and "张建国" not in listing
    detail = worker.get(r["Location"]).content.decode()
    assert "3302**********4412" in detail and "330212197803154412" not in detail
