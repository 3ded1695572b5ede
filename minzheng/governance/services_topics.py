"""议事协商: one topic through 提、审、汇、议、督、示、档 (machines/topic.yaml). The step functions record
the step's content and move the state in one transaction; the guards below refuse a step whose content is
missing, so a topic cannot reach 议定 without a meeting, nor 归档 before its 公示 is over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.governance.models import Opinion, Participant, Topic
from minzheng.governance.services import (
    GovernanceError,
    division_checked,
    next_number,
    required,
    user_or_none,
)
from minzheng.workflow import services as workflow

# 泰安 "7+X": the seven fixed kinds of member; a meeting needs at least this many members present
# (this platform's default, not the seed's: the seed sets no quorum). A decision needs more votes for
# than half of those present (一事一议, 少数服从多数).
QUORUM = 5


@dataclass(frozen=True)
class Tally:
    present: int
    votes_for: int
    against: int
    abstain: int

    @property
    def passed(self) -> bool:
        return self.present >= QUORUM and self.votes_for * 2 > self.present

    @property
    def text(self) -> str:
        return f"到会 {self.present} 人，赞成 {self.votes_for}，反对 {self.against}，弃权 {self.abstain}"


def tally(topic: Topic) -> Tally:
    votes = list(topic.participants.values_list("vote", flat=True))
    return Tally(len(votes), votes.count("for"), votes.count("against"), votes.count("abstain"))


@workflow.guard("governance.opinions")
def _opinions(topic: Topic, actor: Any, data: dict[str, Any]) -> str | None:
    if not topic.opinions.exists():
        return "汇聚共识：尚未登记任何征集到的意见"
    return None if str(data.get("consensus") or "").strip() else "请填写汇聚共识摘要"


@workflow.guard("governance.meeting_held")
def _meeting_held(topic: Topic, actor: Any, data: dict[str, Any]) -> str | None:
    t = tally(topic)
    if t.present < QUORUM:
        return f"召开会议：参会人员 {t.present} 人，不足 {QUORUM} 人，会议不能表决"
    return None if str(data.get("minutes") or "").strip() else "请填写会议纪要"


@workflow.guard("governance.meeting")
def _meeting(topic: Topic, actor: Any, data: dict[str, Any]) -> str | None:
    refused = _meeting_held(topic, actor, data)
    if refused:
        return refused
    t = tally(topic)
    if not t.passed:
        return f"表决未通过（{t.text}）：赞成须超过到会人数的一半"
    if not str(data.get("result") or "").strip():
        return "请填写议定事项"
    return None if data.get("responsible") and data.get("implement_due") else "请填写落实责任人和落实期限"


@workflow.guard("governance.implemented")
def _implemented(topic: Topic, actor: Any, data: dict[str, Any]) -> str | None:
    return None if str(data.get("progress") or "").strip() else "请填写落实情况"


@workflow.guard("governance.publicity_over")
def _publicity_over(topic: Topic, actor: Any, data: dict[str, Any]) -> str | None:
    today = data.get("today") or timezone.localdate()
    if topic.publicity_to and today <= topic.publicity_to:
        return f"结果公示至 {topic.publicity_to}，公示期满后方可归档"
    return None if str(data.get("archive_ref") or "").strip() else "请填写归档号"


def _audit(topic: Topic, actor: Actor, summary: str, client_ip: str = "", reason: str = "") -> None:
    audit_record(
        actor=actor,
        action="update",
        object_type="gov_topic",
        object_id=topic.pk,
        summary=f"{topic.number} {summary}",
        reason=reason,
        client_ip=client_ip,
    )


def topic_propose(
    *,
    division_code: str,
    title: str,
    description: str,
    channel: str,
    proposer: str,
    kind: str = Topic.Kind.OWN,
    proposed_on: dt.date | None = None,
    actor: Actor,
    client_ip: str = "",
) -> Topic:
    """提: filed under its village, or its town for 跨村议事; it starts at 已提出 (审查 in 5 working days)."""
    division = division_checked(actor, division_code)
    if channel not in Topic.Channel.values:
        raise GovernanceError("提出渠道：请选择村（居）民提议、两委提议、网格收集或部门交办")
    if kind not in Topic.Kind.values:
        raise GovernanceError("议题类型：请选择共性议题或个性议题")
    day = proposed_on or timezone.localdate()
    if day > timezone.localdate():
        raise GovernanceError(f"提出日期 {day} 晚于今天")
    with transaction.atomic():
        topic = Topic.objects.create(
            number=next_number(Topic, "议题", division.code, day.year),
            division_code=division.code,
            title=required(title, "议题"),
            description=required(description, "议题内容"),
            kind=kind,
            channel=channel,
            proposer=required(proposer, "提出人"),
            proposed_on=day,
            created_by=user_or_none(actor),
        )
        workflow.start(topic, actor=actor, on=day, client_ip=client_ip)
        audit_record(
            actor=actor,
            action="create",
            object_type="gov_topic",
            object_id=topic.pk,
            summary=f"提出议题 {topic.number}：{topic.title}（{division.name}）",
            client_ip=client_ip,
        )
    return topic


def topic_review(
    topic: Topic, *, accept: bool, opinion: str, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Topic:
    """审: accepted (legal, within the village's remit) or not, with the opinion either way."""
    opinion = required(opinion, "审查意见")
    to = "reviewed" if accept else "rejected"
    workflow.transition(
        topic, to, actor=actor, reason=opinion, changes={"review_opinion": opinion}, on=on, client_ip=client_ip
    )
    return topic


def opinion_add(
    topic: Topic, *, source: str, text: str, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Opinion:
    if topic.status != "reviewed":
        raise GovernanceError("只有审查通过、正在汇聚共识的议题可以登记意见")
    with transaction.atomic():
        opinion = Opinion.objects.create(
            topic=topic,
            source=required(source, "意见来源"),
            text=required(text, "意见内容"),
            on=on or timezone.localdate(),
            recorded_by=user_or_none(actor),
        )
        _audit(topic, actor, f"登记意见（{opinion.source}）", client_ip)
    return opinion


def topic_gather(
    topic: Topic, *, consensus: str, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Topic:
    """汇: the opinions gathered are summed up; the topic waits for its meeting."""
    workflow.transition(
        topic,
        "gathered",
        actor=actor,
        data={"consensus": consensus, "opinions": topic.opinions.count()},
        changes={"consensus": consensus.strip()},
        on=on,
        client_ip=client_ip,
    )
    return topic


@dataclass(frozen=True)
class Meeting:
    on: dt.date
    place: str
    minutes: str
    participants: list[tuple[str, str, str]]  # (name, kind, vote)
    result: str = ""
    responsible: str = ""
    implement_due: dt.date | None = None


def _participants(topic: Topic, rows: list[tuple[str, str, str]]) -> None:
    topic.participants.all().delete()  # a meeting's roll is entered once, as a whole
    for name, kind, vote in rows:
        if kind not in Participant.Kind.values:
            raise GovernanceError(f"参会人员 {name}：身份不在“7+X”之列")
        if vote not in Participant.Vote.values:
            raise GovernanceError(f"参会人员 {name}：表决应为赞成、反对、弃权或不表决")
        Participant.objects.create(topic=topic, name=required(name, "参会人员姓名"), kind=kind, vote=vote)


def topic_meet(topic: Topic, meeting: Meeting, *, actor: Actor, client_ip: str = "") -> Topic:
    """议: the roll and votes, the minutes; passed → 已议定 with who carries it out by when, else 会议未通过."""
    if topic.status != "gathered":
        raise GovernanceError(f"议题当前为「{topic.status}」，汇聚共识后才能召开会议")
    if meeting.on > timezone.localdate():
        raise GovernanceError(f"会议日期 {meeting.on} 晚于今天")
    with transaction.atomic():
        _participants(topic, meeting.participants)
        t = tally(topic)
        changes = {"meeting_on": meeting.on, "meeting_place": meeting.place.strip(), "minutes": meeting.minutes.strip()}
        data = {"minutes": meeting.minutes, "tally": t.text}
        if t.passed:
            changes |= {
                "result": meeting.result.strip(),
                "responsible": meeting.responsible.strip(),
                "implement_due": meeting.implement_due,
            }
            data |= {"result": meeting.result, "responsible": meeting.responsible}
            data["implement_due"] = meeting.implement_due.isoformat() if meeting.implement_due else ""
            workflow.transition(
                topic, "deliberated", actor=actor, data=data, changes=changes, on=meeting.on, client_ip=client_ip
            )
        else:
            reason = f"表决未通过：{t.text}"
            workflow.transition(
                topic, "not_passed", actor=actor, reason=reason, data=data, changes=changes, on=meeting.on
            )
    return topic


def topic_implemented(
    topic: Topic, *, progress: str, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Topic:
    """督: what was done, checked by the supervisor (包村干部, 政协委员)."""
    workflow.transition(
        topic,
        "implemented",
        actor=actor,
        data={"progress": progress},
        changes={"progress": progress.strip()},
        on=on,
        client_ip=client_ip,
    )
    return topic


def topic_publish(topic: Topic, *, place: str, on: dt.date | None = None, actor: Actor, client_ip: str = "") -> Topic:
    """示: the result is posted (the board page shows it) for the machine's 公示 period, from the day posted."""
    place = required(place, "公示地点")
    today = on or timezone.localdate()
    with transaction.atomic():
        workflow.transition(
            topic,
            "published",
            actor=actor,
            data={"place": place},
            changes={"publicity_place": place, "publicity_from": today},
            on=today,
            client_ip=client_ip,
        )
        Topic.objects.filter(pk=topic.pk).update(publicity_to=topic.stage_due)
        topic.publicity_to = topic.stage_due
    return topic


def topic_archive(
    topic: Topic,
    *,
    archive_ref: str,
    objections: str = "",
    on: dt.date | None = None,
    actor: Actor,
    client_ip: str = "",
) -> Topic:
    """档: after the 公示, with the objections raised and how each was handled."""
    workflow.transition(
        topic,
        "archived",
        actor=actor,
        data={"archive_ref": archive_ref, "objections": objections},
        changes={"archive_ref": archive_ref.strip(), "objections": objections.strip()},
        on=on,
        client_ip=client_ip,
    )
    return topic
