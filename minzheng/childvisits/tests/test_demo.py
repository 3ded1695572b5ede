"""The demo hook: plans from the children's categories, visits by the 儿童主任, one child case paid to the guardian."""

from __future__ import annotations

import pytest

from minzheng.accounts.services import user_create
from minzheng.cases.models import Case
from minzheng.childvisits import demo
from minzheng.childvisits.models import ChildVisit, VisitPlan
from minzheng.childvisits.tests.helpers import child_with_file
from minzheng.payments.models import Entitlement
from minzheng.testing import COUNTY, TOWN_A, VILLAGE_A, Cast


@pytest.mark.django_db
def test_demo_extend_is_idempotent_and_pays_the_guardian(cast: Cast) -> None:
    for username, role, scope in (
        ("cun", "village_worker", VILLAGE_A),
        ("zhen", "town_officer", TOWN_A),
        ("xian", "county_approver", COUNTY),
    ):
        user_create(actor=None, username=username, role=role, jurisdiction=scope, password="Minzheng@2026x")
    _, kid, grandma = child_with_file(categories=["unsupported_child"])
    child_with_file("ET-2", categories=["left_behind_child"])
    steps: list[str] = []
    demo.demo_extend(None, steps.append)
    first = demo.demo_counts()
    demo.demo_extend(None, steps.append)
    assert demo.demo_counts() == first == {"plans": 2, "visits": 2, "child_cases": 1}
    assert steps == ["儿童走访：走访计划、儿童主任走访记录、儿童保障案件"] * 2
    case = Case.objects.get(case_type="child_unsupported")
    ent = Entitlement.objects.get(case=case)
    assert (case.status, ent.person_id, ent.payee_id) == ("confirmed", kid.pk, grandma.pk)
    assert grandma.bank_accounts.filter(active=True).exists()
    assert ChildVisit.objects.filter(visitor=cast.child_director).count() == 2
    assert VisitPlan.objects.filter(last_visited_on__isnull=False).count() == 2
