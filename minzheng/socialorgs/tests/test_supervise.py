"""Ratings (grade from the score, five years, eligibility), 打非 leads on their machine, the items they raise."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.socialorgs import items, selectors
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs.models import Organisation, Rating
from minzheng.socialorgs.services import SocialOrgError
from minzheng.socialorgs.tests.conftest import TODAY, ago, make_org
from minzheng.testing import VILLAGE_A, Cast
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem


def test_rating_grades_expiry_and_replacement(cast: Cast, org: Organisation) -> None:
    r = supervise.rating_record(org, score=955, rated_on=ago(10), actor=cast.socialorg_officer)
    assert r.grade == "5A"
    assert r.expires_on == dt.date(r.rated_on.year + 5, r.rated_on.month, r.rated_on.day) - dt.timedelta(days=1)
    again = supervise.rating_record(org, score=880, rated_on=TODAY, note="复评降级", actor=cast.socialorg_officer)
    assert again.grade == "3A"
    assert Rating.objects.get(pk=r.pk).revoked_on == TODAY
    assert selectors.current_rating(org, TODAY) == again
    with pytest.raises(SocialOrgError, match="未达到 1A 级"):
        supervise.rating_record(org, score=700, rated_on=TODAY, actor=cast.socialorg_officer)


def test_rating_refused_for_a_young_organisation(cast: Cast) -> None:
    young = make_org(cast, "新成立协会", 60, days_ago=200)
    with pytest.raises(SocialOrgError, match="登记未满两个年度"):
        supervise.rating_record(young, score=950, rated_on=TODAY, actor=cast.socialorg_officer)


def test_expiring_rating_on_the_list(cast: Cast) -> None:
    org = make_org(cast, "老牌协会", 61, days_ago=8 * 365)
    supervise.rating_record(org, score=910, rated_on=ago(5 * 365 - 20), actor=cast.socialorg_officer)
    items.refresh_items()
    assert WorkItem.objects.filter(kind="socialorg_rating", status="open", subject_id=str(org.pk)).exists()


def test_lead_steps_and_four_eyes(cast: Cast) -> None:
    lead = supervise.lead_create(
        name="某宗亲会", source="群众举报", description="未登记收会费", division_code=VILLAGE_A, on=ago(2),
        actor=cast.socialorg_officer,
    )  # fmt: skip
    assert lead.due_on is not None
    supervise.lead_step(lead, "verifying", actor=cast.socialorg_officer)
    with pytest.raises(TransitionRefused, match="四眼原则"):
        supervise.lead_step(lead, "banned", reason="取缔决定书", actor=cast.socialorg_officer)
    supervise.lead_step(
        lead, "banned", reason="鄞民取字〔2026〕1号", finding="查实以社团名义活动", actor=cast.county_approver
    )
    lead.refresh_from_db()
    assert (lead.status, lead.finding) == ("banned", "查实以社团名义活动")
    items.refresh_items()
    assert not WorkItem.objects.filter(kind="socialorg_lead", status="open").exists()
