"""人民调解: an agreement needs both parties and a performance date, the case closes only on a fulfilled
follow-up; 幸福社区 stars follow the criteria; 村务公开 and 无证明村 checks."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.governance import services_community as community
from minzheng.governance import services_mediation as mediation
from minzheng.governance.services import GovernanceError
from minzheng.governance.tests.conftest import HEYI, ZHANQI, ago
from minzheng.testing import Cast
from minzheng.workflow.services import TransitionRefused

SCORES = {"governance": 22, "openness": 13, "service": 21, "credit": 8, "mediation": 9, "environment": 12}


def test_mediation_case_to_closed(cast: Cast) -> None:
    w = cast.village_worker
    committee = mediation.committee_create(
        division_code=HEYI, name="合一村人民调解委员会", kind="village", established_on=ago(900), actor=w
    )
    mediator = mediation.mediator_add(committee, name="钱调解", title="director", actor=w)
    with pytest.raises(GovernanceError, match="不是本县已登记的社会组织"):  # the register is socialorgs' (G1)
        mediation.committee_create(
            division_code=HEYI, name="某协会人民调解委员会", kind="socialorg", org_credit_code=ORG_CREDIT_CODE,
            established_on=ago(9), actor=w,
        )  # fmt: skip
    with pytest.raises(GovernanceError, match="校验位错误"):
        mediation.case_open(
            committee, division_code=HEYI, type="neighbour", facts="滴水", received_on=ago(5),
            parties=[mediation.PartyIn("applicant", "张某", "330212197803154411")], mediators=[mediator], actor=w,
        )  # fmt: skip
    case = mediation.case_open(
        committee, division_code=HEYI, type="neighbour", facts="相邻排水纠纷", received_on=ago(5),
        parties=[mediation.PartyIn("applicant", "张某", "330212197803154412")], mediators=[mediator], actor=w,
    )  # fmt: skip
    assert case.stage_due == ago(5) + dt.timedelta(days=30)
    with pytest.raises(TransitionRefused, match="双方当事人"):
        mediation.case_agree(case, agreement="疏通排水沟", perform_by=ago(-10), actor=w)
    case.parties.create(side="respondent", name="李某")
    mediation.case_agree(case, agreement="疏通排水沟", perform_by=ago(-10), actor=w)
    with pytest.raises(TransitionRefused, match="尚无“协议已履行”"):
        from minzheng.workflow.services import transition

        transition(case, "closed", actor=w)
    mediation.followup_add(case, on=ago(0), fulfilled=False, note="尚未动工", actor=w)
    assert case.status == "agreed"
    mediation.followup_add(case, on=ago(0), fulfilled=True, note="已疏通", actor=w)
    assert case.status == "closed"


def test_star_rating_public_items_and_no_proof_list(cast: Cast) -> None:
    w = cast.village_worker
    rating = community.rating_record(division_code=HEYI, year=2025, scores=SCORES, actor=w)
    assert (rating.total, rating.stars) == (85, 4)
    with pytest.raises(GovernanceError, match="已评定"):
        community.rating_record(division_code=HEYI, year=2025, scores=SCORES, actor=w)
    with pytest.raises(GovernanceError, match="得分应在 0 至 10 之间"):
        community.rating_record(division_code=HEYI, year=2024, scores={**SCORES, "credit": 11}, actor=w)
    with pytest.raises(GovernanceError, match="缺"):
        community.rating_record(division_code=HEYI, year=2024, scores={"governance": 1}, actor=w)
    with pytest.raises(GovernanceError, match="早于公开日期"):
        community.public_item_add(
            division_code=HEYI, category="finance", title="财务", body="收支", until=ago(3), published_on=ago(0),
            actor=w,
        )  # fmt: skip
    community.noproof_add(
        division_code=ZHANQI, certificate="居住证明", replacement="data", since=ago(100), actor=cast.town_officer
    )
    with pytest.raises(GovernanceError, match="已登记不再出具"):
        community.noproof_add(
            division_code=ZHANQI, certificate="居住证明", replacement="pledge", since=ago(1), actor=cast.town_officer
        )
