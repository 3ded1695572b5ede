"""Match review on the workflow kernel, as a table: every allowed and every refused pair, and the race."""

from __future__ import annotations

from itertools import product

import pytest

from minzheng.testing import Cast, make_household
from minzheng.verification import services_matching
from minzheng.verification.models import MatchCandidate
from minzheng.verification.review import MACHINE
from minzheng.verification.tests.test_review_views import candidate
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused

S = MatchCandidate.Status
# What the review allowed before the move (any status to a different one, by confirm or reject).
ALLOWED = {
    (S.PENDING, S.CONFIRMED),
    (S.PENDING, S.REJECTED),
    (S.CONFIRMED, S.REJECTED),
    (S.REJECTED, S.CONFIRMED),
}


def test_the_machine_allows_exactly_the_review_steps() -> None:
    assert MACHINE.pairs() == ALLOWED
    assert set(MACHINE.states) == set(S.values) and MACHINE.initial.id == S.PENDING
    assert all(not t.four_eyes for t in MACHINE.transitions)  # the matching run is no person: no maker


@pytest.mark.django_db
def test_every_pair_through_the_kernel(cast: Cast) -> None:
    _, people = make_household()
    c = candidate(people[0], 5)
    for source, target in product(S.values, S.values):
        MatchCandidate.objects.filter(pk=c.pk).update(status=source)
        c.refresh_from_db()
        if (source, target) in ALLOWED:
            workflow.transition(c, target, actor=cast.verification_center, reason="表驱动测试")
            c.refresh_from_db()
            assert c.status == target and workflow.history(c)[-1].source == source
            continue
        with pytest.raises(TransitionRefused) as refused:
            workflow.transition(c, target, actor=cast.verification_center)
        label = MACHINE.state_label
        assert f"当前为「{label(source)}」，不能转为「{label(target)}」" in str(refused.value)


@pytest.mark.django_db
def test_confirm_and_its_set_aside_sibling_each_leave_a_history_row(cast: Cast) -> None:
    _, people = make_household()
    first, sibling = candidate(people[0], 5), candidate(people[1], 5, weight=-2.0)
    services_matching.match_confirm(actor=cast.verification_center, candidate=first, reason="与户籍核实一致")
    sibling.refresh_from_db()
    assert sibling.status == S.REJECTED and sibling.reason == "同一行已确认为另一居民"
    assert [(t.source, t.target, t.reason) for t in workflow.history(sibling)] == [
        (S.PENDING, S.REJECTED, "同一行已确认为另一居民")
    ]
    assert [(t.target, t.actor_id) for t in workflow.history(first)] == [(S.CONFIRMED, cast.verification_center.pk)]


@pytest.mark.django_db
def test_a_stale_copy_loses_to_the_first_review(cast: Cast) -> None:
    """Two reviewers holding the same pending candidate: the kernel's compare-and-set lets one through."""
    _, people = make_household()
    c = candidate(people[0], 5)
    stale = MatchCandidate.objects.get(pk=c.pk)
    services_matching.match_reject(actor=cast.verification_center, candidate=c, reason="出生日期不符")
    with pytest.raises(TransitionRefused, match="本件已被他人处理：当前为「已否定」"):
        workflow.transition(stale, S.CONFIRMED, actor=cast.verification_center)
    c.refresh_from_db()
    assert c.status == S.REJECTED and len(workflow.history(c)) == 1
