"""The social-assistance machines as tables: every allowed and every refused pair, and who may take each step.

Issue 10, item 8: "machines tested as tables (every allowed and refused pair)". The tables below are written
out by hand from the procedure (DOMAIN.md 社会救助), not read from the YAML, so a changed file shows up here.
Every pair goes through the one transition service (`workflow.transition`): a refused pair names both states
in Chinese and changes nothing; an allowed pair passes the machine and is refused only for the actor's role
(the system is no role), so no stage effect runs.
"""

from __future__ import annotations

from itertools import product

import pytest
from django.utils import timezone

from minzheng.cases import services
from minzheng.cases.casetypes import case_type
from minzheng.cases.models import Case
from minzheng.testing import Cast, make_household
from minzheng.workflow import services as workflow
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused

TOWN, VILLAGE, COUNTY = "town_officer", "village_worker", "county_approver"

DIBAO = {
    ("draft", "accepted"): {TOWN, VILLAGE},
    ("accepted", "investigated"): {TOWN, VILLAGE},
    ("investigated", "reviewed"): {TOWN},
    ("reviewed", "publicised"): {TOWN, VILLAGE},
    ("publicised", "confirmed"): {COUNTY, TOWN},  # the town only where the county delegated it (guard)
    ("reviewed", "rejected"): {COUNTY, TOWN},
    ("publicised", "rejected"): {COUNTY, TOWN},
    **{(s, "withdrawn"): {TOWN, VILLAGE} for s in ("draft", "accepted", "investigated", "reviewed", "publicised")},
}
LINSHI = {
    ("draft", "accepted"): {TOWN, VILLAGE},
    ("accepted", "relieved"): {TOWN},  # 急难型: 先行救助, then the papers
    ("accepted", "investigated"): {TOWN, VILLAGE},
    ("relieved", "investigated"): {TOWN, VILLAGE},
    ("investigated", "reviewed"): {TOWN},
    ("reviewed", "publicised"): {TOWN, VILLAGE},
    ("reviewed", "confirmed"): {COUNTY, TOWN},
    ("publicised", "confirmed"): {COUNTY, TOWN},
    ("reviewed", "rejected"): {COUNTY, TOWN},
    ("publicised", "rejected"): {COUNTY, TOWN},
    **{
        (s, "withdrawn"): {TOWN, VILLAGE}
        for s in ("draft", "accepted", "relieved", "investigated", "reviewed", "publicised")
    },
}
TINGBAO = {
    ("opened", "checked"): {TOWN, VILLAGE},
    ("checked", "stopped"): {COUNTY, TOWN},
    ("checked", "kept"): {COUNTY, TOWN},
    ("opened", "withdrawn"): {TOWN},
    ("checked", "withdrawn"): {TOWN},
}
TABLES = {"dibao": DIBAO, "tekun": DIBAO, "dibao_edge": DIBAO, "linshi": LINSHI, "tingbao": TINGBAO}
DECISIONS_UNDER_FOUR_EYES = {
    "dibao": {"confirmed": ("reviewed",), "rejected": ("reviewed",)},
    "linshi": {"confirmed": ("reviewed",), "rejected": ("reviewed",)},
    "tingbao": {"stopped": ("checked",), "kept": ("checked",)},
}


@pytest.mark.parametrize("tid", sorted(TABLES))
def test_the_machine_is_the_table(tid: str) -> None:
    machine = case_type(tid).machine
    table = TABLES[tid]
    assert machine.pairs() == set(table)
    for (source, target), roles in table.items():
        step = machine.find(source, target)
        assert step is not None and set(step.roles) == roles, (source, target)
        if target in {"confirmed", "rejected", "stopped", "kept", "withdrawn", "relieved", "reviewed"}:
            assert step.reason, f"{tid} {source}→{target} needs a written reason or opinion"
    base = "dibao" if tid in ("tekun", "dibao_edge") else tid
    for target, states in DECISIONS_UNDER_FOUR_EYES[base].items():
        for step in machine.transitions:
            if step.target == target:
                assert step.four_eyes == states, (tid, step.source, target)


def _case(cast: Cast, tid: str) -> Case:
    household, members = make_household(household_no=f"HQ-{tid}")
    opening = services.Opening(
        case_type=tid,
        household=household,
        received_on=timezone.localdate(),
        authorisation_no="SQ-1",
        applicant=members[0] if case_type(tid).subject == "person" else None,
    )
    return services.case_open(opening, actor=cast.town_officer)


@pytest.mark.django_db
@pytest.mark.parametrize("tid", sorted(TABLES))
def test_every_pair_through_the_kernel(cast: Cast, tid: str) -> None:
    machine = case_type(tid).machine
    table = TABLES[tid]
    case = _case(cast, tid)
    users = {TOWN: cast.town_officer, VILLAGE: cast.village_worker, COUNTY: cast.county_approver}
    logs = TransitionLog.objects.count()
    for source, target in product(machine.states, machine.states):
        Case.objects.filter(pk=case.pk).update(status=source)
        case.refresh_from_db()
        if (source, target) not in table:
            words = f"当前为「{machine.state_label(source)}」，不能转为「{machine.state_label(target)}」"
            with pytest.raises(TransitionRefused, match=words) as refused:
                workflow.transition(case, target, actor=cast.town_officer, reason="表驱动测试")
            assert refused.value.code == "wrong_state"
        else:
            # The machine lets the pair through; the system holds no role, so nothing moves.
            with pytest.raises(TransitionRefused) as refused:
                workflow.transition(case, target, actor=None, reason="表驱动测试")  # type: ignore[arg-type]
            assert refused.value.code == "role", (source, target, str(refused.value))
            for role, user in users.items():
                if role in table[(source, target)]:
                    continue
                with pytest.raises(TransitionRefused, match="不能办理") as refused:
                    workflow.transition(case, target, actor=user, reason="表驱动测试")
                assert refused.value.code == "role", (source, target, role)
        assert Case.objects.get(pk=case.pk).status == source
    assert TransitionLog.objects.count() == logs  # no refused step left a history row


@pytest.mark.django_db
def test_the_case_service_refuses_a_pair_the_machine_lacks_and_changes_nothing(cast: Cast) -> None:
    case = _case(cast, "dibao")
    label = case_type("dibao").machine.state_label
    for target in ("reviewed", "publicised", "confirmed", "rejected"):
        with pytest.raises(TransitionRefused, match=f"当前为「受理」，不能转为「{label(target)}」"):
            services.case_transition(case, target, actor=cast.town_officer, reason="越级")
        case.refresh_from_db()
        assert case.status == "accepted" and case.decision_eligible is None
