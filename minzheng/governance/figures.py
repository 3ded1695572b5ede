"""Dashboard figures of 基层治理 (registered from apps.ready): codes, buckets and numbers only."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Sum

from minzheng.core.figures import Figure, Rows
from minzheng.governance.models import CreditAccount, CreditFund, MediationCase, Question, Topic
from minzheng.governance.services import TOPIC_MACHINE

QUESTION_BUCKETS = {"recorded": "已登记", "assigned": "办理中", "answered": "待确认", "closed": "已销号"}


def questions(as_of: dt.date) -> Rows:
    """Questions by status; one still with its assignee past its deadline counts as 逾期."""
    counts: Counter[tuple[str, str]] = Counter()
    for code, status, due in Question.objects.values_list("division_code", "status", "due_on"):
        late = status == "assigned" and due is not None and due < as_of
        counts[(code, "逾期" if late else QUESTION_BUCKETS.get(status, status))] += 1
    return [(code, bucket, n) for (code, bucket), n in counts.items()]


def topics(as_of: dt.date) -> Rows:
    rows = Topic.objects.values("division_code", "status").annotate(n=Count("pk"))
    return [(r["division_code"], TOPIC_MACHINE.state_label(r["status"]), r["n"]) for r in rows]


def credit_points(as_of: dt.date) -> Rows:
    rows = CreditAccount.objects.values("division_code").annotate(n=Sum("balance"))
    return [(r["division_code"], "", r["n"] or 0) for r in rows]


def fund_balance(as_of: dt.date) -> Rows:
    return [(code, "", fen) for code, fen in CreditFund.objects.values_list("division_code", "balance_fen")]


def mediation(as_of: dt.date) -> Rows:
    labels = dict(MediationCase.Type.choices)
    rows = MediationCase.objects.values("division_code", "type").annotate(n=Count("pk"))
    return [(r["division_code"], labels.get(r["type"], r["type"]), r["n"]) for r in rows]


GROUP = "基层治理"
FIGURES = [
    Figure("governance.questions", "阳光报告会问题", GROUP, "件", questions, "/governance/questions/", "bar", order=10),
    Figure("governance.topics", "议事协商议题", GROUP, "件", topics, "/governance/topics/", "bar", order=20),
    Figure("governance.credit_points", "信用积分余额", GROUP, "分", credit_points, "/governance/credit/", order=30),
    Figure(
        "governance.fund_balance",
        "信用基金余额",
        GROUP,
        "元",
        fund_balance,
        "/governance/credit/",
        money=True,
        order=40,
    ),
    Figure("governance.mediation", "人民调解案件", GROUP, "件", mediation, "/governance/mediation/", "pie", order=50),
]
