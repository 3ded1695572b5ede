"""基层治理 on the 待办: questions past their deadline (the village chases the assignee), topics past a step's
limit or their 落实期限, mediation cases past 30 days or with an agreement past its performance date and not
followed up. Producers: refreshed, an item closes by itself when the fact is gone."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max
from django.utils import timezone

from minzheng.governance.models import MediationCase, Question, Topic
from minzheng.governance.services import TOPIC_MACHINE
from minzheng.workitems.services import ItemSpec, producer, refresh

QUESTION_SOURCE = "gov_question"
TOPIC_SOURCE = "gov_topic"
MEDIATION_SOURCE = "gov_mediation"


def _role(division_code: str) -> str:
    return "town_officer" if division_code.endswith("000") else "village_worker"


@producer(QUESTION_SOURCE, {"gov_question_overdue": "阳光报告会问题逾期"})
def questions_overdue() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    for q in Question.objects.filter(status="assigned", due_on__lt=today).order_by("pk"):
        yield ItemSpec(
            source=QUESTION_SOURCE,
            kind="gov_question_overdue",
            title=f"质询 {q.number} 已过办理期限（{q.assignee}，{q.due_on}），请督办",
            subject_type="gov_question",
            subject_id=str(q.pk),
            division_code=q.division_code,
            role="village_worker",
            fingerprint=f"gov:question:{q.pk}:{q.due_on.isoformat() if q.due_on else ''}",
            due_on=q.due_on,
            data={"link": f"/governance/questions/{q.pk}/"},
        )


@producer(TOPIC_SOURCE, {"gov_topic_overdue": "议事协商环节逾期"})
def topics_overdue() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    for t in Topic.objects.filter(status__in=("proposed", "reviewed", "deliberated")).order_by("pk"):
        due = t.implement_due if t.status == "deliberated" else t.stage_due
        if due is None or due >= today:
            continue
        step = TOPIC_MACHINE.state_label(t.status)
        yield ItemSpec(
            source=TOPIC_SOURCE,
            kind="gov_topic_overdue",
            title=f"议题 {t.title}「{step}」已过期限 {due}",
            subject_type="gov_topic",
            subject_id=str(t.pk),
            division_code=t.division_code,
            role=_role(t.division_code),
            fingerprint=f"gov:topic:{t.pk}:{t.status}",
            due_on=due,
            data={"link": f"/governance/topics/{t.pk}/"},
        )


@producer(MEDIATION_SOURCE, {"gov_mediation_due": "调解超期或履行待回访"})
def mediation_due() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    cases = MediationCase.objects.filter(status__in=("received", "agreed")).annotate(last=Max("followups__on"))
    for c in cases.order_by("pk"):
        if c.status == "received" and c.stage_due and c.stage_due < today:
            title, due = f"调解 {c.number} 受理已超过 30 日，请调结或终止", c.stage_due
        elif c.status == "agreed" and c.perform_by and c.perform_by < today and not (c.last and c.last >= c.perform_by):
            title, due = f"调解 {c.number} 协议履行期限 {c.perform_by} 已到，请回访", c.perform_by
        else:
            continue
        yield ItemSpec(
            source=MEDIATION_SOURCE,
            kind="gov_mediation_due",
            title=title,
            subject_type="gov_mediation",
            subject_id=str(c.pk),
            division_code=c.division_code,
            role=_role(c.division_code),
            fingerprint=f"gov:mediation:{c.pk}:{c.status}",
            due_on=due,
            data={"link": f"/governance/mediation/cases/{c.pk}/"},
        )


def refresh_governance_items() -> dict[str, dict[str, int]]:
    return {s: refresh(s) for s in (QUESTION_SOURCE, TOPIC_SOURCE, MEDIATION_SOURCE)}
