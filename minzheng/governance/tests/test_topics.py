"""议事协商: the seven steps in order, no skipping, a meeting needs its quorum and a majority; scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.governance import services_topics as topics
from minzheng.governance.models import Topic
from minzheng.governance.services import GovernanceError
from minzheng.governance.tests.conftest import HEYI, LUPU, ZHANQI, ago
from minzheng.testing import Cast
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused, transition

ROLL = [
    ("王支书", "committee", "for"),
    ("李监委", "supervision", "for"),
    ("张党员", "party", "for"),
    ("赵代表", "resident", "for"),
    ("钱干部", "cadre", "abstain"),
    ("孙律师", "lawyer", ""),
]


def _topic(cast: Cast, division: str = HEYI) -> Topic:
    return topics.topic_propose(
        division_code=division,
        title="村口道路加装路灯",
        description="村口至小学 300 米无路灯，夜间上学不安全",
        channel="resident",
        proposer="村民 张某",
        proposed_on=ago(20),
        actor=cast.village_worker if division == HEYI else cast.town_officer,
    )


def _to_gathered(cast: Cast, topic: Topic) -> None:
    w = cast.village_worker
    topics.topic_review(topic, accept=True, opinion="符合村民自治范围，资金由村集体承担", actor=w)
    topics.opinion_add(topic, source="入户走访", text="多数赞成，建议太阳能路灯", actor=w)
    topics.topic_gather(topic, consensus="安装 12 盏太阳能路灯", actor=w)


def test_seven_steps_in_order_to_the_archive(cast: Cast) -> None:
    w = cast.village_worker
    topic = _topic(cast)
    assert topic.status == "proposed" and topic.stage_due is not None
    _to_gathered(cast, topic)
    meeting = topics.Meeting(
        on=timezone.localdate(), place="村议事厅", minutes="一事一议，推举代表发言", participants=ROLL,
        result="安装太阳能路灯 12 盏", responsible="村委会 王主任", implement_due=ago(-30),
    )  # fmt: skip
    topics.topic_meet(topic, meeting, actor=w)
    assert topic.status == "deliberated" and topics.tally(topic).votes_for == 4
    topics.topic_implemented(topic, progress="已安装完毕并验收", actor=w)
    topics.topic_publish(topic, place="村务公开栏", actor=w)
    assert topic.publicity_to == timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(TransitionRefused, match="公示期满后方可归档"):
        topics.topic_archive(topic, archive_ref="2026-议-01", actor=w)
    Topic.objects.filter(pk=topic.pk).update(publicity_to=ago(1))  # the 公示 ran its course
    topic.refresh_from_db()
    topics.topic_archive(topic, archive_ref="2026-议-01", objections="无异议", actor=w)
    assert topic.status == "archived"
    steps = list(
        TransitionLog.objects.filter(object_type="gov_topic", object_id=str(topic.pk)).values_list("target", flat=True)
    )
    assert steps == ["proposed", "reviewed", "gathered", "deliberated", "implemented", "published", "archived"]
    assert AuditEvent.objects.filter(object_type="gov_topic", object_id=str(topic.pk)).count() >= 8


def test_the_machine_refuses_skipping_a_step(cast: Cast) -> None:
    topic = _topic(cast)
    for target in ("gathered", "deliberated", "published", "archived"):
        with pytest.raises(TransitionRefused) as refused:
            transition(topic, target, actor=cast.village_worker, reason="跳步")
        assert refused.value.code == "wrong_state"
    assert "不能转为" in str(refused.value)
    topics.topic_review(topic, accept=True, opinion="同意", actor=cast.village_worker)
    with pytest.raises(TransitionRefused, match="尚未登记任何征集到的意见"):
        topics.topic_gather(topic, consensus="直接开会", actor=cast.village_worker)
    assert Topic.objects.get(pk=topic.pk).status == "reviewed"


def test_meeting_without_quorum_or_majority(cast: Cast) -> None:
    topic = _topic(cast)
    _to_gathered(cast, topic)
    short = topics.Meeting(on=timezone.localdate(), place="村议事厅", minutes="纪要", participants=ROLL[:3])
    with pytest.raises(TransitionRefused, match="不足 5 人"):
        topics.topic_meet(topic, short, actor=cast.village_worker)
    assert Topic.objects.get(pk=topic.pk).status == "gathered"
    against = [(n, k, "against" if i % 2 else "for") for i, (n, k, _) in enumerate(ROLL)]
    topics.topic_meet(
        topic, topics.Meeting(on=timezone.localdate(), place="村议事厅", minutes="纪要", participants=against),
        actor=cast.village_worker,
    )  # fmt: skip
    assert Topic.objects.get(pk=topic.pk).status == "not_passed"


def test_topics_are_scoped(cast: Cast) -> None:
    with pytest.raises(GovernanceError, match="不在您的管辖范围内"):
        topics.topic_propose(
            division_code=LUPU, title="x", description="x", channel="grid", proposer="x", actor=cast.town_officer
        )
    with pytest.raises(GovernanceError, match="不在您的管辖范围内"):
        topics.topic_propose(
            division_code=ZHANQI, title="x", description="x", channel="grid", proposer="x", actor=cast.village_worker
        )
    town_topic = _topic(cast, ZHANQI)  # 跨村议事, filed by the town
    assert town_topic.number.startswith(f"议题-{ZHANQI}-")
