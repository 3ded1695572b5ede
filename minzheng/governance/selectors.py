"""Reads for the 基层治理 pages through access.visible (scoped); lists come out masked. The public board reads
one community's records with no personal data at all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.divisions.selectors import division_names
from minzheng.governance import access
from minzheng.governance.models import (
    CreditAccount,
    CreditFund,
    MediationCase,
    Meeting,
    NoProofItem,
    PublicItem,
    Question,
    ShopItem,
    StarRating,
    Topic,
)
from minzheng.governance.services import MEDIATION_MACHINE, QUESTION_MACHINE, TOPIC_MACHINE
from minzheng.registry.models import Household, Person

LIST_LIMIT = 300


def names(codes: set[str]) -> dict[str, str]:
    return division_names(codes)


def topic_rows(user: Any, status: str = "") -> list[dict[str, Any]]:
    qs = access.visible(user, Topic).order_by("-proposed_on", "-pk")
    if status == "open":
        qs = qs.exclude(status__in=("archived", "rejected", "not_passed"))
    elif status:
        qs = qs.filter(status=status)
    topics = list(qs[:LIST_LIMIT])
    where = names({t.division_code for t in topics})
    today = timezone.localdate()
    return [
        {
            "t": t,
            "place": where.get(t.division_code, t.division_code),
            "state": TOPIC_MACHINE.state_label(t.status),
            "late": bool(t.stage_due and t.stage_due < today and t.status in ("proposed", "reviewed")),
        }
        for t in topics
    ]


def question_filter(qs: QuerySet[Question], show: str, today: dt.date) -> QuerySet[Question]:
    if show == "overdue":
        return qs.filter(status="assigned", due_on__lt=today)
    if show == "reopened":
        return qs.filter(reopened__gt=0).exclude(status="closed")
    if show == "closed":
        return qs.filter(status="closed")
    if show == "all":
        return qs
    return qs.exclude(status="closed")


def question_row(q: Question, today: dt.date, where: dict[str, str]) -> dict[str, Any]:
    return {
        "q": q,
        "place": where.get(q.division_code, q.division_code),
        "state": QUESTION_MACHINE.state_label(q.status),
        "overdue": q.status == "assigned" and q.due_on is not None and q.due_on < today,
        "asker": mask_name(q.asker_name) or "未留名",
    }


def question_rows(user: Any, show: str = "") -> list[dict[str, Any]]:
    today = timezone.localdate()
    qs = question_filter(access.visible(user, Question), show, today).select_related("meeting")
    rows = list(qs.order_by("due_on", "-pk")[:LIST_LIMIT])
    where = names({q.division_code for q in rows})
    return [question_row(q, today, where) for q in rows]


def meetings(user: Any) -> list[Meeting]:
    return list(access.visible(user, Meeting).order_by("-held_on", "-pk")[:50])


def heads(households: list[Household]) -> dict[int, str]:
    """Each household's 户主, masked (the 信用+ account belongs to the household)."""
    rows = Person.objects.filter(household__in=households, relation="02").values_list("household_id", "name")
    return {hid: mask_name(name) for hid, name in rows}


def credit_rows(user: Any, village: str = "") -> list[dict[str, Any]]:
    qs = access.visible(user, CreditAccount).select_related("household").order_by("-balance", "pk")
    if village:
        qs = qs.filter(division_code=village)
    accounts = list(qs[:LIST_LIMIT])
    head = heads([a.household for a in accounts])
    return [{"a": a, "head": head.get(a.household_id, "—")} for a in accounts]


def households_without_account(user: Any, limit: int = 100) -> list[dict[str, Any]]:
    """Households of the user's villages that have no 信用+ account yet (to open one with a first entry)."""
    from minzheng.core.jurisdiction import prefix_q

    with_account = CreditAccount.objects.values("household_id")
    qs = Household.objects.filter(prefix_q("division_id", user.jurisdiction)).exclude(pk__in=with_account)
    households = list(qs.order_by("household_no")[:limit])
    head = heads(households)
    return [{"h": h, "head": head.get(h.pk, "—")} for h in households]


def shop(user: Any) -> list[ShopItem]:
    return list(access.visible(user, ShopItem).order_by("division_code", "name"))


def funds(user: Any) -> list[CreditFund]:
    return list(access.visible(user, CreditFund).order_by("division_code"))


def case_rows(user: Any, show: str = "") -> list[dict[str, Any]]:
    qs = access.visible(user, MediationCase).select_related("committee").prefetch_related("parties")
    if show == "open":
        qs = qs.filter(status__in=("received", "agreed"))
    today = timezone.localdate()
    rows = []
    for c in qs.order_by("-received_on", "-pk")[:LIST_LIMIT]:
        rows.append(
            {
                "c": c,
                "state": MEDIATION_MACHINE.state_label(c.status),
                "parties": "、".join(mask_name(p.name) for p in c.parties.all()),
                "late": c.status == "received" and bool(c.stage_due and c.stage_due < today),
            }
        )
    return rows


def board(code: str, today: dt.date | None = None) -> dict[str, Any]:
    """One community's public board: no names of askers or parties, no phones, no household points."""
    today = today or timezone.localdate()
    shown = Q(public=True)
    questions = Question.objects.filter(shown, division_code=code).select_related("meeting").order_by("-pk")[:100]
    where = {code: ""}
    topics = Topic.objects.filter(division_code=code, status__in=("published", "archived")).order_by("-pk")[:30]
    items = PublicItem.objects.filter(division_code=code).filter(Q(until__isnull=True) | Q(until__gte=today))
    return {
        "meetings": list(Meeting.objects.filter(division_code=code).order_by("-held_on")[:10]),
        "questions": [question_row(q, today, where) for q in questions],
        "topics": [{"t": t, "state": TOPIC_MACHINE.state_label(t.status)} for t in topics],
        "items": list(items[:50]),
        "noproof": list(
            NoProofItem.objects.filter(Q(division_code=code) | Q(division_code=code[:9].ljust(12, "0")))
            .filter(since__lte=today)
            .order_by("certificate")
        ),
        "rating": StarRating.objects.filter(division_code=code).order_by("-year").first(),
        "shop": list(ShopItem.objects.filter(division_code=code, active=True).order_by("points")),
    }
