"""A 低保 case from the window to a decision: stages, guards, four eyes, 公示, letters, API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.cases import services
from minzheng.cases.casetypes import case_types
from minzheng.cases.models import Case, Letter, Material
from minzheng.cases.selectors import case_detail, overdue
from minzheng.rules.models import Parameter
from minzheng.testing import VILLAGE_A, Cast, make_household
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused

TODAY = timezone.localdate()
SURVEY = {"survey": {"visited_on": "", "visitors": ["王村", "李镇"], "findings": "家中无劳动力，住房一套"}}


def _days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _open(cast: Cast, received: dt.date, case_type: str = "dibao") -> Case:
    household, _ = make_household()
    opening = services.Opening(case_type=case_type, household=household, received_on=received, authorisation_no="SQ-1")
    return services.case_open(opening, actor=cast.town_officer)


def _survey(on: dt.date) -> dict[str, Any]:
    return {"survey": {**SURVEY["survey"], "visited_on": on.isoformat()}, "on": on.isoformat()}


def _to_publicity(cast: Cast, case: Case, start: int = 20) -> Case:
    services.case_transition(case, "investigated", actor=cast.village_worker, data=_survey(_days_ago(start - 2)))
    services.case_transition(
        case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": _days_ago(start - 4).isoformat()}
    )
    services.case_transition(case, "publicised", actor=cast.town_officer, data={"on": _days_ago(start - 5).isoformat()})
    return case


def test_every_case_type_loads_and_names_a_catalogue_policy() -> None:
    from minzheng.rules.eligibility import catalogue

    types = case_types()
    assert set(types) >= {"dibao", "tekun", "dibao_edge", "linshi"}
    policies = set(catalogue().policies)
    for ctype in types.values():
        assert ctype.policy in policies
        assert ctype.legal_basis


@pytest.mark.django_db
def test_open_numbers_the_case_and_counts_deadlines_from_received_on(cast: Cast) -> None:
    case = _open(cast, _days_ago(3))
    assert case.case_no == f"低保-330212-{_days_ago(3).year}-000001"
    assert case.status == "accepted"
    assert case.due_on == add_working_days(_days_ago(3), 30)
    assert case.stage_due_on == add_working_days(_days_ago(3), 10)
    materials = {m.key: m.status for m in case.materials.all()}
    assert materials["identity"] == Material.Status.FETCHED
    assert materials["authorisation"] == Material.Status.RECEIVED
    assert materials["disability"] == Material.Status.FETCHED  # 李秀英 has a disability tag
    assert case.letters.get().kind == Letter.Kind.ACCEPTED
    assert TransitionLog.objects.filter(object_type="case", object_id=str(case.pk), target="accepted").count() == 1


@pytest.mark.django_db
def test_county_shortened_total_deadline_is_used(cast: Cast) -> None:
    Parameter.objects.create(
        key="cases.dibao.total_working_days", region_code="330212", effective_from=dt.date(2020, 1, 1),
        value="12", value_type="integer", reference="测试：县级缩短时限",
    )  # fmt: skip
    case = _open(cast, _days_ago(1))
    assert case.due_on == add_working_days(_days_ago(1), 12)


@pytest.mark.django_db
def test_duplicate_open_case_and_future_date_are_refused(cast: Cast) -> None:
    case = _open(cast, _days_ago(1))
    again = services.Opening(case_type="dibao", household=case.household, received_on=TODAY, authorisation_no="x")
    with pytest.raises(services.CaseError, match=f"已有在办的最低生活保障申请 {case.case_no}"):
        services.case_open(again, actor=cast.town_officer)
    future = services.Opening(case_type="tekun", household=case.household, received_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(services.CaseError, match="晚于今天"):
        services.case_open(future, actor=cast.town_officer)


@pytest.mark.django_db
def test_wrong_role_and_wrong_state_are_refused_in_chinese(cast: Cast) -> None:
    case = _open(cast, _days_ago(5))
    with pytest.raises(TransitionRefused, match="当前为「受理」，不能转为「审核确认」"):
        services.case_transition(case, "confirmed", actor=cast.county_approver, reason="同意")
    with pytest.raises(TransitionRefused, match="「县级审批」不能办理「入户调查」"):
        services.case_transition(case, "investigated", actor=cast.county_approver, data=_survey(_days_ago(4)))
    with pytest.raises(TransitionRefused, match="至少 2 名工作人员"):
        services.case_transition(
            case, "investigated", actor=cast.village_worker,
            data={"survey": {"visited_on": "2026-01-01", "visitors": ["王村"], "findings": "x"}},
        )  # fmt: skip
    with pytest.raises(TransitionRefused, match="须填写理由"):
        services.case_transition(case, "withdrawn", actor=cast.town_officer)


@pytest.mark.django_db
def test_missing_authorisation_blocks_the_investigation(cast: Cast) -> None:
    household, _ = make_household()
    case = services.case_open(
        services.Opening(case_type="dibao", household=household, received_on=_days_ago(2)), actor=cast.town_officer
    )
    assert case.materials.get(key="authorisation").status == Material.Status.MISSING
    with pytest.raises(TransitionRefused, match="核对授权书"):
        services.case_transition(case, "investigated", actor=cast.village_worker, data=_survey(_days_ago(1)))


@pytest.mark.django_db
def test_step_dates_may_be_recorded_late_but_not_in_the_future_or_out_of_order(cast: Cast) -> None:
    case = _open(cast, _days_ago(10))
    with pytest.raises(TransitionRefused, match="晚于今天"):
        services.case_transition(
            case, "investigated", actor=cast.village_worker, data=_survey(TODAY + dt.timedelta(days=1))
        )
    with pytest.raises(TransitionRefused, match="早于上一环节"):
        services.case_transition(case, "investigated", actor=cast.village_worker, data=_survey(_days_ago(11)))
    services.case_transition(case, "investigated", actor=cast.village_worker, data=_survey(_days_ago(8)))
    assert case.stage_due_on == add_working_days(_days_ago(8), 5)
    assert case.visits.get().visitors == ["王村", "李镇"]


@pytest.mark.django_db
def test_publicity_must_run_its_seven_days_and_objections_be_answered(cast: Cast) -> None:
    case = _to_publicity(cast, _open(cast, _days_ago(7)), start=6)
    publicity = case.publicity
    assert (publicity.ends_on - publicity.starts_on).days == 6
    assert "张**" in publicity.text and "330212" not in publicity.text
    with pytest.raises(TransitionRefused, match="期满后才能审核确认"):
        services.case_transition(
            case, "confirmed", actor=cast.county_approver, reason="同意", data={"override_reason": "x"}
        )


@pytest.mark.django_db
def test_confirm_after_publicity_with_override_reason_and_letter(cast: Cast) -> None:
    case = _to_publicity(cast, _open(cast, _days_ago(20)))
    objection = services.objection_record(
        case.publicity, actor=cast.town_officer, content="他家有车", received_on=_days_ago(12)
    )
    with pytest.raises(TransitionRefused, match="1 条异议尚未答复"):
        services.case_transition(
            case, "confirmed", actor=cast.county_approver, reason="同意", data={"override_reason": "x"}
        )
    services.objection_answer(objection, actor=cast.town_officer, answer="经核实车辆已于 2025 年报废")
    case.refresh_from_db()
    # No department data for this household: the engine cannot say 符合, so approving needs a written reason,
    # and a caller cannot smuggle in a screening of its own.
    assert case.engine_eligible is not True
    forged = {"screening": {"eligible": True}, "amount_fen": 118100}
    with pytest.raises(TransitionRefused, match="书面理由"):
        services.case_transition(case, "confirmed", actor=cast.county_approver, reason="同意", data=forged)
    data = {**forged, "override_reason": "入户调查确认无收入来源"}
    services.case_transition(case, "confirmed", actor=cast.county_approver, reason="同意", data=data)
    case.refresh_from_db()
    assert (case.status, case.decision_eligible, case.decision_amount_fen) == ("confirmed", True, 118100)
    assert case.letters.filter(kind=Letter.Kind.APPROVED).exists()
    detail = case_detail(case)
    assert [h["to"] for h in detail["history"]] == ["accepted", "investigated", "reviewed", "publicised", "confirmed"]
    assert detail["decision"]["eligible"] is True
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), action="transition").count() == 5


@pytest.mark.django_db
def test_four_eyes_where_the_town_is_delegated_to_confirm(cast: Cast) -> None:
    Parameter.objects.create(
        key="cases.dibao.confirm_by_town", region_code="330212", effective_from=dt.date(2020, 1, 1),
        value="1", value_type="integer", reference="测试：县授权乡镇审核确认",
    )  # fmt: skip
    case = _to_publicity(cast, _open(cast, _days_ago(20)))
    with pytest.raises(TransitionRefused, match="四眼原则"):
        services.case_transition(
            case, "rejected", actor=cast.town_officer, reason="不符合", data={"override_reason": "收入超标"}
        )


@pytest.mark.django_db
def test_rejection_produces_its_letter_due_in_three_working_days(cast: Cast) -> None:
    case = _to_publicity(cast, _open(cast, _days_ago(20)))
    services.case_transition(
        case, "rejected", actor=cast.county_approver, reason="家庭人均收入高于低保标准",
        data={"override_reason": "入户调查发现有经营收入", "on": _days_ago(2).isoformat()},
    )  # fmt: skip
    letter = case.letters.get(kind=Letter.Kind.REJECTED)
    assert letter.due_on == add_working_days(_days_ago(2), 3)
    assert letter.body["reasons"] == "家庭人均收入高于低保标准"


@pytest.mark.django_db
def test_overdue_lists_late_cases_within_jurisdiction(cast: Cast) -> None:
    from minzheng.registry.services import household_create

    late = _open(cast, _days_ago(60))
    fresh = household_create(actor=None, household_no="HQ-0002", division_code=VILLAGE_A)
    services.case_open(services.Opening("dibao", fresh, TODAY, "SQ-2"), actor=cast.town_officer)
    assert list(overdue(cast.town_officer)) == [late]
    assert list(overdue(cast.other_town_officer)) == []


@pytest.mark.django_db
def test_each_stage_is_one_open_item_for_the_role_that_acts_next(cast: Cast) -> None:
    from minzheng.workitems.models import WorkItem
    from minzheng.workitems.selectors import mine

    case = _open(cast, _days_ago(20))
    assert [i.role for i in mine(cast.town_officer)] == ["town_officer"]
    _to_publicity(cast, case)
    open_items = WorkItem.objects.filter(subject_id=str(case.pk), status=WorkItem.Status.OPEN)
    assert [(i.role, i.data["stage"]) for i in open_items] == [("county_approver", "publicised")]
    assert list(mine(cast.town_officer)) == []
    assert [i.data["case_no"] for i in mine(cast.county_approver)] == [case.case_no]
    assert WorkItem.objects.filter(subject_id=str(case.pk)).count() == 4
    services.case_transition(case, "withdrawn", actor=cast.town_officer, reason="申请人撤回")
    assert not WorkItem.objects.filter(subject_id=str(case.pk), status=WorkItem.Status.OPEN).exists()


@pytest.mark.django_db
def test_stage_assignment_objection_and_reminders_reach_the_inbox_once(cast: Cast) -> None:
    from minzheng.cases.tasks import overdue_reminders, publicity_endings
    from minzheng.notifications.models import Notification
    from minzheng.notifications.selectors import inbox
    from minzheng.notifications.services import deliver_pending

    case = _to_publicity(cast, _open(cast, _days_ago(60)), start=40)
    services.objection_record(case.publicity, actor=cast.village_worker, content="有异议", received_on=_days_ago(34))
    assert overdue_reminders() == {"overdue": 1}
    assert publicity_endings() == {"publicity_ended": 1}
    assert overdue_reminders() == {"overdue": 1}  # the same fact, no second message
    assert deliver_pending()["delivered"] == Notification.objects.count()
    approver = [n.kind for n in inbox(cast.county_approver)]
    assert sorted(approver) == ["overdue", "publicity_ended", "stage_assigned"]
    town = {n.kind for n in inbox(cast.town_officer)}
    assert {"objection", "stage_assigned"} <= town
    assert not list(inbox(cast.other_town_officer))


@pytest.mark.django_db
def test_a_drafted_application_is_accepted_when_the_household_signs(cast: Cast) -> None:
    household, people = make_household()
    draft = services.case_open(
        services.Opening("dibao", household, _days_ago(5), applicant=people[0], draft=True, drafted_from="rules:42"),
        actor=cast.village_worker,
    )
    assert (draft.status, draft.due_on, draft.letters.count()) == ("draft", None, 0)
    with pytest.raises(TransitionRefused, match="申请人已签字"):
        services.case_transition(draft, "accepted", actor=cast.town_officer)
    services.case_transition(
        draft, "accepted", actor=cast.town_officer,
        data={"application_signed": True, "authorisation_no": "SQ-88", "on": _days_ago(2).isoformat()},
    )  # fmt: skip
    draft.refresh_from_db()
    assert (draft.status, draft.received_on, draft.authorisation_no) == ("accepted", _days_ago(2), "SQ-88")
    assert draft.due_on == add_working_days(_days_ago(2), 30)
    assert draft.letters.get().kind == Letter.Kind.ACCEPTED


@pytest.mark.django_db
def test_stop_review_checks_then_stops_with_its_letter(cast: Cast) -> None:
    Parameter.objects.create(
        key="cases.tingbao.confirm_by_town", region_code="330212", effective_from=dt.date(2020, 1, 1),
        value="1", value_type="integer", reference="测试：县授权乡镇决定停发",
    )  # fmt: skip
    household, _ = make_household()
    opening = services.Opening("tingbao", household, _days_ago(4), drafted_from="verification:death:1")
    case = services.case_open(opening, actor=cast.town_officer)
    assert (case.status, case.letters.count()) == ("opened", 0)
    assert case.due_on == add_working_days(_days_ago(4), 15)
    services.case_transition(
        case, "checked", actor=cast.town_officer, reason="户主已于上月死亡", data={"on": _days_ago(3).isoformat()}
    )
    stop = {"override_reason": "户主死亡"}
    with pytest.raises(TransitionRefused, match="四眼原则"):
        services.case_transition(case, "stopped", actor=cast.town_officer, reason="停发", data=stop)
    services.case_transition(case, "stopped", actor=cast.county_approver, reason="死亡，自次月起停发", data=stop)
    case.refresh_from_db()
    assert (case.status, case.decision_eligible) == ("stopped", False)
    letter = case.letters.get()
    assert letter.kind == Letter.Kind.STOPPED and letter.due_on == add_working_days(TODAY, 3)


@pytest.mark.django_db
def test_overdue_counted_per_town_for_the_county(cast: Cast) -> None:
    from minzheng.cases.selectors import overdue_by_town

    _open(cast, _days_ago(60))
    assert overdue_by_town(cast.county_approver) == [{"town": "瞻岐镇", "n": 1}]
    assert overdue_by_town(cast.other_town_officer) == []


@pytest.mark.django_db
def test_democratic_review_where_the_county_requires_it(cast: Cast) -> None:
    Parameter.objects.create(
        key="cases.dibao.democratic_review", region_code="330212", effective_from=dt.date(2020, 1, 1),
        value="1", value_type="integer", reference="测试：本县要求民主评议",
    )  # fmt: skip
    case = _open(cast, _days_ago(10))
    services.case_transition(case, "investigated", actor=cast.village_worker, data=_survey(_days_ago(8)))
    with pytest.raises(TransitionRefused, match="本县要求民主评议"):
        services.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意")
    review = {"held_on": _days_ago(7).isoformat(), "participants": 9, "result": "9 人同意"}
    services.case_transition(
        case, "reviewed", actor=cast.town_officer, reason="同意", data={"democratic_review": review}
    )
    assert case.status == "reviewed"
