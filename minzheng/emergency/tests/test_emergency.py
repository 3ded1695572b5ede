"""一键通: alarms open incidents, timers climb the ladder, every step is recorded and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.accounts.services import token_issue
from minzheng.audit.models import AuditEvent
from minzheng.cli import app as cli_app
from minzheng.eldercare.models import Elder
from minzheng.eldercare.testing import make_elder
from minzheng.emergency import cli as _emergency_cli  # noqa: F401 - registers `emergency`
from minzheng.emergency import services
from minzheng.emergency.models import Device, EscalationStep, Incident, Rung
from minzheng.scheduler.services import scheduler_tick
from minzheng.testing import Cast

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def elder(cast: Cast) -> Elder:
    return make_elder()


@pytest.fixture
def device(elder: Elder, cast: Cast) -> Device:
    return services.device_register(
        actor=cast.village_worker, elder=elder, serial="yjt-0001", installed_on=dt.date(2026, 1, 1), sensors=["smoke"]
    )


def alarm(device: Device, seconds: float = 0, kind: str = "button") -> Incident:
    return services.alarm_receive(actor=None, kind=kind, device=device, now=at(seconds)).incident


def steps(incident: Incident) -> list[tuple[str, dt.datetime, dt.datetime | None, str]]:
    return [(s.rung, s.started_at, s.ended_at, s.outcome) for s in EscalationStep.objects.filter(incident=incident)]


def test_alarm_opens_one_incident_and_joins_further_alarms(device: Device) -> None:
    assert device.serial == "YJT-0001" and device.division_code == "330212100201"
    first = alarm(device)
    again = alarm(device, 20, kind="smoke")
    assert first.pk == again.pk and first.alarms.count() == 2
    assert (first.rung, first.kind, first.opened_at) == (Rung.OPERATOR, "button", T0)
    assert steps(first) == [(Rung.OPERATOR, T0, None, "")]
    summaries = list(AuditEvent.objects.filter(object_type="emergency_incident").values_list("summary", flat=True))
    assert summaries == [f"周阿婆 按键呼叫：新建紧急呼叫事件 #{first.pk}", f"周阿婆 烟感：并入处置中的事件 #{first.pk}"]


def test_timers_climb_the_ladder_exactly_and_idempotently(device: Device, cast: Cast) -> None:
    incident = alarm(device)
    assert services.incident_tick(now=at(59)) == 0
    assert services.incident_tick(now=at(60)) == 1
    assert services.incident_tick(now=at(60)) == 0  # the same tick twice changes nothing
    incident.refresh_from_db()
    assert (incident.rung, incident.rung_started_at) == (Rung.FAMILY, at(60))
    # A ticker that was down for an hour replays the ladder at the deadlines, not at its own time.
    assert services.incident_tick(now=at(3600)) == 2
    incident.refresh_from_db()
    assert incident.rung == Rung.EMERGENCY
    assert steps(incident) == [
        (Rung.OPERATOR, T0, at(60), "60 秒内未响应，自动升级"),
        (Rung.FAMILY, at(60), at(240), "180 秒内未响应，自动升级"),
        (Rung.COMMUNITY, at(240), at(600), "360 秒内未响应，自动升级"),
        (Rung.EMERGENCY, at(600), None, ""),
    ]
    contacts = [s.contact for s in EscalationStep.objects.filter(incident=incident)]
    assert contacts == ["12349 坐席", "子 周建华 139****0002", "村（社区）工作人员 王村", "120 急救中心"]
    assert services.incident_tick(now=at(99999)) == 0  # 120 is the last rung
    system = AuditEvent.objects.filter(object_type="emergency_incident", actor_username="系统", action="update")
    assert system.count() == 3


def test_timer_settings_are_configurable(device: Device, settings: Any) -> None:
    settings.EMERGENCY_RUNG_SECONDS = {"operator": 10}
    incident = alarm(device)
    assert services.incident_tick(now=at(10)) == 1
    incident.refresh_from_db()
    assert incident.rung == Rung.FAMILY and services.rung_deadline(incident) == at(10 + 180)


def test_answer_stops_the_timer_and_operator_escalates_and_closes(device: Device, cast: Cast) -> None:
    incident = alarm(device)
    services.incident_answer(actor=cast.hotline_operator, incident=incident, now=at(25), note="老人说胸闷")
    assert services.incident_tick(now=at(5000)) == 0
    services.incident_escalate(actor=cast.hotline_operator, incident=incident, now=at(40))
    assert services.incident_tick(now=at(40 + 180)) == 1  # the family rung's timer runs again
    services.incident_escalate(actor=cast.hotline_operator, incident=incident, now=at(300), to="emergency", note="胸痛")
    with pytest.raises(services.EmergencyError, match="已在「呼叫120」环节"):
        services.incident_escalate(actor=cast.hotline_operator, incident=incident, now=at(301), to="family")
    services.incident_close(
        actor=cast.hotline_operator, incident=incident, now=at(900), outcome="hospital", note="送鄞州二院"
    )
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.operator, incident.closed_at) == (
        "closed", "hospital", cast.hotline_operator, at(900)
    )  # fmt: skip
    rows = [(s.rung, s.outcome, s.actor_id) for s in EscalationStep.objects.filter(incident=incident)]
    op = cast.hotline_operator.pk
    assert rows == [
        (Rung.OPERATOR, "已响应", op),
        (Rung.FAMILY, "180 秒内未响应，自动升级", None),
        (Rung.COMMUNITY, "坐席决定升级", op),
        (Rung.EMERGENCY, "结束：送医", op),
    ]
    with pytest.raises(services.EmergencyError, match="已结束（送医）"):
        services.incident_answer(actor=cast.hotline_operator, incident=incident, now=at(901))
    with pytest.raises(services.EmergencyError, match="处置结果"):
        services.incident_close(actor=cast.hotline_operator, incident=alarm(device, 1000), now=at(1001), outcome="x")
    assert Incident.objects.filter(status="open").count() == 1  # a new alarm opened a new incident


def test_api_alarm_from_the_gateway(device: Device, cast: Cast) -> None:
    gateway = Client(headers={"Authorization": f"Bearer {token_issue(actor=None, user=cast.hotline_operator)}"})
    body = {"device": "yjt-0001", "kind": "gas", "raised_at": "2026-12-01T17:00:05+08:00", "detail": {"ppm": 900}}
    answer = gateway.post("/api/v1/emergency/alarms", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["joined"] is False
    incident = Incident.objects.get(pk=data["incident_id"])
    assert incident.kind == "gas" and incident.opened_at == T0 + dt.timedelta(seconds=5)
    again = gateway.post("/api/v1/emergency/alarms", {**body, "kind": "smoke"}, content_type="application/json")
    assert again.json()["joined"] is True
    bad = gateway.post("/api/v1/emergency/alarms", {**body, "kind": "fire"}, content_type="application/json")
    assert bad.status_code == 422 and "报警类型：未知的 fire" in bad.json()["detail"]
    unknown = gateway.post("/api/v1/emergency/alarms", {**body, "device": "NOPE"}, content_type="application/json")
    assert unknown.status_code == 404
    village = Client(headers={"Authorization": f"Bearer {token_issue(actor=None, user=cast.village_worker)}"})
    assert village.post("/api/v1/emergency/alarms", body, content_type="application/json").status_code == 404
    # What PostgreSQL cannot store is refused before it reaches the database (a 500 there before).
    for odd in ({**body, "device": "yjt\u0000"}, {**body, "detail": {"note": "a\u0000b"}}):
        refused = gateway.post("/api/v1/emergency/alarms", odd, content_type="application/json")
        assert refused.status_code == 422, refused.content


def test_pages_by_role_and_jurisdiction(device: Device, cast: Cast) -> None:
    incident = alarm(device)
    operator = client_for(cast.hotline_operator)
    console = operator.get("/emergency/").content.decode()
    assert "周阿婆" in console and "坐席接警" in console and "138****0001" in console
    assert "13800570001" not in console  # lists are masked
    detail = operator.get(f"/emergency/incidents/{incident.pk}/").content.decode()
    assert "13800570001" in detail and "13905740002" in detail  # the operator must dial them
    assert AuditEvent.objects.filter(object_type="emergency_incident", action="view").count() == 1
    for user in (cast.other_town_officer, cast.auditor, cast.provider, cast.caregiver):
        assert client_for(user).get(f"/emergency/incidents/{incident.pk}/").status_code == 404
        assert client_for(user).get("/emergency/").status_code == 404
    village = client_for(cast.village_worker)
    assert village.get("/emergency/").status_code == 404  # the console is the hotline's
    assert "周阿婆" in village.get("/emergency/incidents/").content.decode()
    assert "周阿婆" not in client_for(cast.other_town_officer).get("/emergency/incidents/").content.decode()
    # Community staff answer only their own rung; escalation and closing are the console's.
    village.post(f"/emergency/incidents/{incident.pk}/answer/", {"note": "到了"})
    assert Incident.objects.get(pk=incident.pk).rung_answered is False
    assert village.post(f"/emergency/incidents/{incident.pk}/close/", {"outcome": "resolved"}).status_code == 404
    services.incident_escalate(actor=cast.hotline_operator, incident=incident, now=timezone.now(), to="community")
    village.post(f"/emergency/incidents/{incident.pk}/answer/", {"note": "已到老人家中"})
    step = EscalationStep.objects.get(incident=incident, rung=Rung.COMMUNITY)
    assert (step.outcome, step.note, step.actor) == ("已响应", "已到老人家中", cast.village_worker)


def test_console_poll_only_displays_and_red_call_form(elder: Elder, cast: Cast) -> None:
    operator = client_for(cast.hotline_operator)
    page = operator.post("/emergency/red-call/", {"phone": "+86 139-0574-0002", "kind": "red_call"})  # the son calls
    incident = Incident.objects.get(elder=elder)
    assert page.status_code == 302 and page["Location"] == f"/emergency/incidents/{incident.pk}/"
    Incident.objects.filter(pk=incident.pk).update(rung_started_at=timezone.now() - dt.timedelta(seconds=61))
    # The page only shows: the ladder climbs in the scheduler (emergency.ladder), not in a poll.
    poll = operator.post("/emergency/poll/", HTTP_HX_REQUEST="true").content.decode()
    assert "坐席接警" in poll and "通知家属" not in poll and 'hx-trigger="every 5s"' in poll and "<html" not in poll
    assert Incident.objects.get(pk=incident.pk).rung == "operator"
    scheduler_tick(timezone.now())
    poll = operator.post("/emergency/poll/", HTTP_HX_REQUEST="true").content.decode()
    assert "通知家属" in poll
    bad = operator.post("/emergency/red-call/", {"phone": "13000000000", "kind": "red_call"})
    assert bad.status_code == 400 and "该号码不是本辖区登记的老人或其紧急联系人" in bad.content.decode()
    closing = operator.post(f"/emergency/incidents/{incident.pk}/close/", {"outcome": "false_alarm", "note": "误按"})
    assert closing.status_code == 302
    assert Incident.objects.get(pk=incident.pk).get_outcome_display() == "误报"


def test_device_page_registers_within_jurisdiction(elder: Elder, cast: Cast) -> None:
    form = {"id_number": elder.person.id_number, "serial": "YJT-0100", "installed_on": "2026-11-30", "sensors": ["gas"]}
    assert client_for(cast.other_town_officer).post("/emergency/devices/", form).status_code == 400
    page = client_for(cast.village_worker).post("/emergency/devices/", form)
    assert page.status_code == 302
    assert Device.objects.get(serial="YJT-0100").sensor_labels == ["燃气"]
    again = client_for(cast.village_worker).post("/emergency/devices/", form)
    assert "终端编号：YJT-0100 已登记" in again.content.decode()


def test_cli_tick_is_idempotent(device: Device) -> None:
    alarm(device)
    runner = CliRunner()
    first = runner.invoke(cli_app, ["emergency", "tick", "--now", at(61).isoformat(), "--json"])
    second = runner.invoke(cli_app, ["emergency", "tick", "--now", at(61).isoformat(), "--json"])
    assert '"escalated": 1' in first.output and '"escalated": 0' in second.output
    naive = runner.invoke(cli_app, ["emergency", "tick", "--now", "2026-12-01T09:00:00"])
    assert naive.exit_code == 1 and "须带时区" in naive.output
