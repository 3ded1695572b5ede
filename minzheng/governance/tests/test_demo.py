"""The demo step on its own (the county-wide demo build runs it in demo/tests): the demo accounts `cun` and
`zhen`, a few households; every area gets its records, overdue ones reach the 待办, a second run adds nothing."""

from __future__ import annotations

from django.utils import timezone

from minzheng.accounts.services import user_create
from minzheng.governance import demo
from minzheng.governance.figures import FIGURES, questions
from minzheng.governance.models import CreditAccount, CreditFund, MediationCase, Question, Redemption, Topic
from minzheng.governance.tests.conftest import HEYI, bare_household
from minzheng.testing import PASSWORD
from minzheng.workitems.models import WorkItem


def test_demo_step(county: None) -> None:
    for username, role, scope in (("cun", "village_worker", HEYI), ("zhen", "town_officer", "330212100")):
        user_create(actor=None, username=username, role=role, jurisdiction=scope, password=PASSWORD)
    for n in range(6):
        bare_household(f"DEMO-{n:03d}")
    steps: list[str] = []
    demo.demo_extend(None, steps.append)
    assert steps == ["基层治理：议事协商、阳光报告会问题台账、信用+、人民调解与社区建设"]
    assert set(Topic.objects.values_list("status", flat=True)) == {"proposed", "reviewed", "archived", "deliberated"}
    assert set(Question.objects.values_list("status", flat=True)) == {"closed", "assigned", "answered"}
    assert Question.objects.filter(reopened=1).count() == 1
    assert CreditAccount.objects.filter(balance__lt=0).count() == 0 and Redemption.objects.count() == 1
    assert CreditFund.objects.get(division_code=HEYI).balance_fen == 500_000 - 120_000
    assert set(MediationCase.objects.values_list("status", flat=True)) == {"agreed", "closed"}
    kinds = set(WorkItem.objects.filter(status="open").values_list("kind", flat=True))
    assert kinds == {"gov_question_overdue", "gov_topic_overdue", "gov_mediation_due"}
    for figure in FIGURES:  # codes, buckets and whole numbers only
        rows = list(figure.compute(timezone.localdate()))
        assert rows and all(len(code) == 12 and isinstance(value, int) for code, _, value in rows), figure.key
    assert "逾期" in {bucket for _, bucket, _ in questions(timezone.localdate())}
    before = Topic.objects.count()
    demo.demo_extend(None, steps.append)
    assert Topic.objects.count() == before
