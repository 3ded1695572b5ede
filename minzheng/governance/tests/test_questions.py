"""阳光报告会: a question past its working-day deadline is overdue (and on the 待办), it closes only when the
asker confirms, an unsatisfied asker reopens it with a new deadline."""

from __future__ import annotations

import pytest
from django.utils import timezone

from minzheng.governance import items
from minzheng.governance import services_questions as ledger
from minzheng.governance.models import Meeting, Question
from minzheng.governance.tests.conftest import HEYI, ago
from minzheng.testing import Cast
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem


def _meeting(cast: Cast, held: int = 30) -> Meeting:
    return ledger.meeting_create(
        division_code=HEYI, held_on=ago(held), place="村文化礼堂", reporter="村委会主任 王某", attendance=86,
        report="2026 年三务三资报告", officials="瞻岐镇包村干部 李某", actor=cast.village_worker,
    )  # fmt: skip


def _question(cast: Cast, meeting: Meeting) -> Question:
    return ledger.question_record(
        meeting, category="funds", text="村道硬化资金何时到位？", asker_name="张建国", asker_phone="13805741234",
        actor=cast.village_worker,
    )  # fmt: skip


def test_overdue_question_is_on_the_list_and_closes_only_when_the_asker_confirms(cast: Cast) -> None:
    w = cast.village_worker
    q = _question(cast, _meeting(cast))
    ledger.question_assign(q, assignee_kind="department", assignee="瞻岐镇农办", days=5, on=ago(20), actor=w)
    assert q.due_on == add_working_days(ago(20), 5) and q.due_on < timezone.localdate()
    assert ledger.question_overdue(q)
    items.refresh_governance_items()
    item = WorkItem.objects.get(source=items.QUESTION_SOURCE, subject_id=str(q.pk))
    assert item.status == WorkItem.Status.OPEN and item.division_code == HEYI and "已过办理期限" in item.title
    with pytest.raises(TransitionRefused) as refused:  # 销号 straight from 办理中: no
        ledger.question_confirm(q, way="face", actor=w)
    assert refused.value.code == "wrong_state"
    ledger.question_answer(q, answer="资金已列入 2027 年一事一议奖补", actor=w)
    assert not ledger.question_overdue(q)
    with pytest.raises(TransitionRefused, match="须由提问人确认"):
        ledger.question_confirm(q, way="", actor=w)
    assert Question.objects.get(pk=q.pk).status == "answered"
    items.refresh_governance_items()
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.RESOLVED  # the fact is gone
    ledger.question_confirm(q, way="phone", comment="满意", actor=w)
    q.refresh_from_db()
    assert (q.status, q.confirmation) == ("closed", "电话回访确认：满意")


def test_unsatisfied_asker_reopens_with_a_new_deadline(cast: Cast) -> None:
    w = cast.village_worker
    q = _question(cast, _meeting(cast))
    ledger.question_answer(q, answer="当场解释：资金按进度拨付", actor=w)
    assert q.on_the_spot
    with pytest.raises(TransitionRefused, match="理由"):
        ledger.question_assign(q, assignee_kind="person", assignee="村会计 陈某", days=3, actor=w)
    ledger.question_assign(
        q, assignee_kind="person", assignee="村会计 陈某", days=3, reason="提问人不满意：要看拨付凭证", actor=w
    )
    q.refresh_from_db()
    assert (q.status, q.reopened, q.answer) == ("assigned", 1, "")
    assert q.due_on == add_working_days(timezone.localdate(), 3)


def test_deadline_bounds(cast: Cast) -> None:
    q = _question(cast, _meeting(cast))
    with pytest.raises(ledger.GovernanceError, match="1 至 60 个工作日"):
        ledger.question_assign(q, assignee_kind="department", assignee="镇农办", days=0, actor=cast.village_worker)
