"""The demo's cases: every stage, one 公示 open, one overdue, a rejection letter, work for each role; twice = once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from minzheng.accounts.services import user_create
from minzheng.cases.demo import PLAN, demo_extend
from minzheng.cases.models import Case, Letter
from minzheng.cases.selectors import overdue
from minzheng.core.idnumber import check_digit
from minzheng.registry.services import household_create, person_create
from minzheng.testing import PASSWORD, TOWN_A, VILLAGE_A, VILLAGE_A2
from minzheng.workitems.selectors import mine

pytestmark = pytest.mark.django_db


def _demo_world() -> dict[str, object]:
    users = {
        name: user_create(actor=None, username=name, role=role, jurisdiction=scope, password=PASSWORD, display_name=d)
        for name, role, scope, d in [
            ("cun", "village_worker", VILLAGE_A, "王网格"),
            ("zhen", "town_officer", TOWN_A, "李受理"),
            ("xian", "county_approver", "330212", "陈审批"),
        ]
    }
    for k in range(len(PLAN) + 1):
        _family(k, VILLAGE_A if k % 2 else VILLAGE_A2)
    return users


def _family(k: int, village: str) -> None:
    """A household of two with valid, distinct identity numbers."""
    household = household_create(actor=None, household_no=f"DEMO-{k:03d}", division_code=village)
    for j, (name, relation) in enumerate([("周德明", "户主"), ("吴桂芳", "配偶")]):
        first17 = f"33021219{60 + k:02d}0{j + 1}15{j}{k:02d}"
        person_create(
            actor=None, household=household, name=name, relation=relation, id_number=first17 + check_digit(first17)
        )


def test_demo_cases_cover_every_stage_and_a_second_run_adds_nothing(county: None) -> None:
    users = _demo_world()
    built = SimpleNamespace(as_of=timezone.localdate().replace(day=1))
    demo_extend(built, lambda _: None)
    statuses = {(c.case_type, c.status) for c in Case.objects.all()}
    for stage in ("accepted", "investigated", "reviewed", "publicised", "confirmed", "rejected", "withdrawn"):
        assert ("dibao", stage) in statuses
    assert ("linshi", "relieved") in statuses
    today = timezone.localdate()
    publicised = Case.objects.filter(status="publicised").select_related("publicity")
    assert sorted(c.publicity.ends_on >= today for c in publicised) == [False, True]  # one open, one ended
    assert [c.status for c in overdue(users["xian"])] == ["accepted"]  # exactly one overdue
    rejected = Case.objects.get(status="rejected")
    assert rejected.letters.filter(kind=Letter.Kind.REJECTED).exists()
    assert Letter.objects.filter(kind=Letter.Kind.REFUSED, case__isnull=True).count() == 1
    assert {i.data["stage"] for i in mine(users["xian"])} == {"publicised"}
    assert len(list(mine(users["zhen"]))) >= 5
    counts = (Case.objects.count(), Letter.objects.count())
    demo_extend(built, lambda _: None)
    assert (Case.objects.count(), Letter.objects.count()) == counts == (len(PLAN), counts[1])


def test_the_county_approver_can_confirm_the_ended_publicity_today(county: None) -> None:
    from minzheng.cases import services

    users = _demo_world()
    demo_extend(SimpleNamespace(as_of=timezone.localdate().replace(day=1)), lambda _: None)
    case = next(c for c in Case.objects.filter(status="publicised") if c.publicity.ends_on < timezone.localdate())
    services.case_transition(
        case, "confirmed", actor=users["xian"], reason="同意", data={"override_reason": "入户调查核实无收入"}
    )
    assert case.status == "confirmed"
