"""Early warning: one call per contact of the warning's villages; past the minutes, a call not answered
is on the village's 待办 until answered; the town and village see only their own contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.disaster import access
from minzheng.disaster import services_warning as warn
from minzheng.disaster.items import refresh_disaster_items
from minzheng.disaster.models import Call, Event, Warning
from minzheng.disaster.services import DisasterError
from minzheng.testing import TOWN_A, VILLAGE_A, VILLAGE_A2, Cast
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.django_db

OTHER_TOWN_VILLAGE = "330212101201"


def _contacts(cast: Cast) -> None:
    warn.contact_add(VILLAGE_A, name="王信息", phone="13805740001", role="灾害信息员", actor=cast.village_worker)
    warn.contact_add(VILLAGE_A, name="孙独居", phone="13805740002", role="重点对象", actor=cast.village_worker)
    warn.contact_add(VILLAGE_A2, name="钱村长", phone="13805740003", role="村干部", actor=cast.town_officer)
    warn.contact_add(
        OTHER_TOWN_VILLAGE, name="周咸", phone="13805740004", role="灾害信息员", actor=cast.other_town_officer
    )


def _issue(cast: Cast) -> Warning:
    return warn.warning_issue(
        title="台风橙色预警：今夜起有暴雨到大暴雨，请转移危旧房人员", level="orange", areas=[TOWN_A], minutes=30,
        event=None, actor=cast.disaster_officer,
    )  # fmt: skip


def test_calls_for_every_contact_of_the_area_and_unanswered_ones_on_the_list(cast: Cast) -> None:
    _contacts(cast)
    w = _issue(cast)
    assert sorted(w.calls.values_list("contact__name", flat=True)) == ["孙独居", "王信息", "钱村长"]
    refresh_disaster_items()
    assert not WorkItem.objects.filter(kind="disaster_call_unanswered").exists()  # within the 30 minutes
    Warning.objects.filter(pk=w.pk).update(issued_at=timezone.now() - dt.timedelta(minutes=45))
    first = Call.objects.get(contact__name="王信息")
    warn.call_record(first, answered=False, actor=cast.village_worker)
    refresh_disaster_items()
    items = WorkItem.objects.filter(kind="disaster_call_unanswered", status="open")
    assert {(i.division_code, i.role) for i in items} == {(VILLAGE_A, "village_worker"), (VILLAGE_A2, "village_worker")}
    assert items.count() == 3 and "已拨打 1 次未接通" in items.get(subject_id=str(first.pk)).title
    assert "王*" in items.get(subject_id=str(first.pk)).title  # masked on the list
    warn.call_record(first, answered=True, actor=cast.village_worker)
    assert WorkItem.objects.get(subject_id=str(first.pk)).status == "resolved"
    refresh_disaster_items()
    assert WorkItem.objects.filter(kind="disaster_call_unanswered", status="open").count() == 2
    with pytest.raises(DisasterError, match=r"已于 .* 接通"):
        warn.call_record(first, answered=True, actor=cast.village_worker)
    assert (
        AuditEvent.objects.filter(object_type="disaster_warning", object_id=str(w.pk)).count() == 3
    )  # issue, two calls


def test_the_village_and_the_other_town_see_only_their_own_calls(cast: Cast) -> None:
    _contacts(cast)
    w = _issue(cast)
    village_calls = access.calls_visible_to(cast.village_worker)
    assert set(village_calls.values_list("contact__name", flat=True)) == {"王信息", "孙独居"}
    other = Call.objects.get(contact__name="钱村长")
    with pytest.raises(Http404):
        access.access_call(cast.village_worker, other.pk)
    with pytest.raises(Http404):
        access.access_warning(cast.other_town_officer, w.pk)  # 咸祥镇 is not in the warning's area
    with pytest.raises(DisasterError, match="只能为本辖区"):
        warn.call_record(other, answered=True, actor=cast.village_worker)


def test_a_warning_outside_the_jurisdiction_or_without_a_level_is_refused(cast: Cast) -> None:
    with pytest.raises(DisasterError, match="超出您的管辖范围"):
        warn.warning_issue(
            title="x", level="red", areas=["330213"], minutes=30, event=None, actor=cast.disaster_officer
        )
    with pytest.raises(DisasterError, match="预警等级"):
        warn.warning_issue(
            title="x", level="purple", areas=[TOWN_A], minutes=30, event=None, actor=cast.disaster_officer
        )


def test_villages_of_an_event_not_yet_stable_report_daily(cast: Cast) -> None:
    from minzheng.disaster import services
    from minzheng.disaster.tests.helpers import typhoon

    event = typhoon(cast, areas=[VILLAGE_A, VILLAGE_A2])
    Event.objects.filter(pk=event.pk).update(ended_on=None)
    refresh_disaster_items()
    due = WorkItem.objects.filter(kind="disaster_report_due", status="open")
    assert sorted(due.values_list("division_code", flat=True)) == [VILLAGE_A, VILLAGE_A2]
    services.assessment_report(event, VILLAGE_A, {"affected_persons": 10}, actor=cast.village_worker)
    refresh_disaster_items()
    assert list(due.values_list("division_code", flat=True)) == [VILLAGE_A2]
    Event.objects.filter(pk=event.pk).update(ended_on=timezone.localdate())  # 灾情稳定
    refresh_disaster_items()
    assert not due.exists()
