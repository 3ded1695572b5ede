"""Issue 9 in home care: dead ends a worker hit, the family link's life, and reads of personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.eldercare import dispatch, orders, planning, services
from minzheng.eldercare.models import Elder, Order, OrderStatus
from minzheng.eldercare.testing import HOME, CareWorld, make_elder
from minzheng.eldercare.tests.helpers import PNG, at, photo, place, to_service
from minzheng.testing import TOWN_B
from minzheng.workflow.models import TransitionLog

TOWN_B_VILLAGE = "330212101203"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def unlocated(name: str = "无坐标阿婆", division: str = "330212100201", serial: str = "418") -> Elder:
    return make_elder(name, household_no=f"YL-{serial}", serial=serial, phone=f"13800570{serial}", location=None,
                      division=division)  # fmt: skip


def later(days: int = 1, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


# ------------------------------------------------------------------ item 9: no coordinates, manual pick


def test_order_of_an_elder_without_coordinates_is_dispatched_by_hand(cast: Any, care: CareWorld) -> None:
    order = place(cast, unlocated(), ["SC01"], later())
    c = client_for(cast.hotline_operator)
    page = c.get(reverse("eldercare:order", args=[order.pk])).content.decode()
    assert "无坐标阿婆 未登记住址坐标，无法就近派单" in page and 'id="dispatch"' not in page
    assert "指定护理员" in page and "胡理（瞻岐镇颐家居家养老服务中心；养老护理员；当日无派单）" in page
    c.post(reverse("eldercare:order_action", args=[order.pk, "dispatch"]), {"caregiver": care.caregiver.pk})
    order.refresh_from_db()
    assert (order.status, order.caregiver) == (OrderStatus.DISPATCHED, care.caregiver)
    audit = AuditEvent.objects.filter(object_type="eldercare_order", object_id=str(order.pk), data__to="dispatched")
    # The kernel's audit event points at the step's history row, which keeps the dispatch details.
    assert TransitionLog.objects.get(pk=audit.get().data["log"]).data["auto"] is False


def test_manual_pick_is_limited_to_the_offered_caregivers(cast: Any, care: CareWorld) -> None:
    elsewhere = services.provider_create(actor=None, name="咸祥镇服务中心", division_code=TOWN_B, service_area=[TOWN_B])
    stranger = services.caregiver_create(
        actor=None, provider=elsewhere, name="外镇护理员", home_lat=HOME[0], home_lng=HOME[1],
        qualifications=["care_worker"], work_days=list(range(7)),
    )  # fmt: skip
    order = place(cast, care.elder, ["SC02"], later())  # needs a 养老护理员
    booked = place(cast, care.elder, ["SC01"], later(hour=14))
    orders.order_dispatch(actor=cast.hotline_operator, order=booked, caregiver=care.nurse)
    care.caregiver.work_days = [d for d in range(7) if d != later().weekday()]
    care.caregiver.save()
    c = client_for(cast.hotline_operator)
    page = c.get(reverse("eldercare:order", args=[order.pk])).content.decode()
    assert "外镇护理员" not in page
    assert "钱护士（瞻岐镇颐家居家养老服务中心；养老护理员、护士；当日已派 1 单）" in page
    assert "胡理（瞻岐镇颐家居家养老服务中心；养老护理员；当日无派单，当日不上班）" in page
    answer = c.post(
        reverse("eldercare:order_action", args=[order.pk, "dispatch"]), {"caregiver": stranger.pk}, follow=True
    )
    assert "所选护理员不在可派范围内" in answer.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_coordinates_are_editable_on_the_elder_page(cast: Any, care: CareWorld) -> None:
    elder = unlocated()
    c = client_for(cast.village_worker)
    page = c.get(reverse("eldercare:elder", args=[elder.pk])).content.decode()
    assert "未登记住址坐标：无法就近派单" in page and "保存坐标" in page
    url = reverse("eldercare:elder_location", args=[elder.pk])
    bad = c.post(url, {"lat": "129.1", "lng": "121.8"}, follow=True).content.decode()
    assert "纬度：" in bad and Elder.objects.get(pk=elder.pk).lat is None
    c.post(url, {"lat": "29.7712", "lng": "121.8004"})
    elder.refresh_from_db()
    assert (elder.lat, elder.lng) == (29.7712, 121.8004)
    row = AuditEvent.objects.get(object_type="eldercare_elder", object_id=str(elder.pk), summary__contains="住址坐标")
    assert row.data == {"before": [None, None], "after": [29.7712, 121.8004], "basis": "手工填写"}
    assert client_for(cast.hotline_operator).post(url, {"lat": "29", "lng": "121"}).status_code == 404


def test_coordinates_are_estimated_from_the_villages_located_elders(cast: Any, care: CareWorld) -> None:
    elder = unlocated()
    c = client_for(cast.village_worker)
    answer = c.post(reverse("eldercare:elder_location", args=[elder.pk]), {"estimate": "1"}, follow=True)
    elder.refresh_from_db()
    assert (elder.lat, elder.lng) == HOME  # the only located elder of 合一村
    assert "按合一村 1 位已定位服务对象住址的中心估算" in answer.content.decode()
    # Nobody located in the village or the town: say so in Chinese and point to the manual pick.
    lonely = unlocated("咸祥阿公", division=TOWN_B_VILLAGE, serial="419")
    other = client_for(cast.other_town_officer)
    page = other.post(reverse("eldercare:elder_location", args=[lonely.pk]), {"estimate": "1"}, follow=True)
    assert "无法估算坐标" in page.content.decode() and "指定护理员" in page.content.decode()
    assert Elder.objects.get(pk=lonely.pk).lat is None


# ------------------------------------------------------------------ item 9: wrong messages


def test_a_day_nobody_works_says_no_shift_not_missing_qualification() -> None:
    sunday = dt.date(2026, 12, 6)
    weekdays_only = dispatch.Caregiver(id="A", lat=0, lng=0, qualifications=frozenset({"care_worker"}),
                                       weekdays=frozenset(range(5)))  # fmt: skip
    visit = dispatch.Visit(id=1, lat=0, lng=0.001, window_start=dt.time(9), window_end=dt.time(10),
                           service_minutes=30, qualification="care_worker")  # fmt: skip
    labels = {"care_worker": "养老护理员", "nurse": "护士"}
    plan = dispatch.plan_day([visit], [weekdays_only], time_limit_s=1, day=sunday, labels=labels)
    assert plan.dropped[0].reason == "该日无排班：2026-12-06（周日）没有具备「养老护理员」资质的护理员上班"
    nurse_visit = dispatch.Visit(id=2, lat=0, lng=0.001, window_start=dt.time(9), window_end=dt.time(10),
                                 service_minutes=30, qualification="nurse")  # fmt: skip
    plan = dispatch.plan_day([nurse_visit], [weekdays_only], time_limit_s=1, day=dt.date(2026, 12, 7), labels=labels)
    assert plan.dropped[0].reason == "没有护理员具备「护士」资质"


def test_plan_page_names_qualifications_in_chinese(cast: Any, care: CareWorld) -> None:
    care.nurse.active = False
    care.nurse.save()
    order = place(cast, care.elder, ["HM02"], later())  # 血糖监测 needs a 护士
    result = planning.day_plan(care.provider, later().date())
    assert [d.reason for d in result.plan.dropped] == ["没有护理员具备「护士」资质"]
    page = client_for(cast.provider).get(reverse("eldercare:plan"), {"day": later().date().isoformat()})
    assert f"订单 {order.pk} 未能安排：没有护理员具备「护士」资质" in page.content.decode()
    from minzheng.eldercare.lifecycle import TransitionError

    with pytest.raises(TransitionError, match="（养老护理员、护士）"):
        place(cast, care.elder, ["SC02", "HM02"], later())


def test_order_forms_propose_the_next_working_day(cast: Any, care: CareWorld, monkeypatch: Any) -> None:
    friday = dt.date(2026, 12, 4)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: friday)
    c = client_for(cast.hotline_operator)
    pop_up = c.get(reverse("eldercare:hotline_lookup"), {"phone": "13800570001"}).content.decode()
    assert 'value="2026-12-07"' in pop_up and 'value="2026-12-05"' not in pop_up  # Monday, not Saturday
    family = Client().get(reverse("eldercare:family", args=[care.elder.family_token])).content.decode()
    assert 'value="2026-12-07"' in family


def test_assessment_form_shows_each_scores_descriptor(cast: Any, care: CareWorld) -> None:
    page = client_for(cast.village_worker).get(reverse("eldercare:assess", args=[care.elder.pk])).content.decode()
    assert "4 分：独立使用器具将食物送进口中并咽下，没有呛咳" in page
    assert "0 分：完全依赖他人协助进食，或吞咽困难，或留置营养管" in page
    assert "3 分：可独立上下楼梯（连续上下10个~15个台阶），不需要协助" in page
    assert "1 分：未出现" in page and "0 分：近一个月内出现过攻击行为" in page


# ------------------------------------------------------------------ item 10: the family link expires and rotates


def test_family_link_expires(cast: Any, care: CareWorld, settings: Any) -> None:
    url = reverse("eldercare:family", args=[care.elder.family_token])
    assert care.elder.family_token_expires_at > timezone.now() + dt.timedelta(days=29)
    Elder.objects.filter(pk=care.elder.pk).update(family_token_expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Client().get(url)
    assert expired.status_code == 410 and "链接已过期" in expired.content.decode()
    assert "周阿婆" not in expired.content.decode()
    page = client_for(cast.village_worker).get(reverse("eldercare:elder", args=[care.elder.pk])).content.decode()
    assert "链接已过期，家属无法打开" in page
    settings.ELDERCARE_FAMILY_LINK_DAYS = 7
    assert services.family_link_expiry(at(1, 0)) == at(8, 0)


def test_staff_rotate_the_family_link_and_it_is_audited(cast: Any, care: CareWorld) -> None:
    old = care.elder.family_token
    assert (
        client_for(cast.hotline_operator).post(reverse("eldercare:family_rotate", args=[care.elder.pk])).status_code
        == 404
    )
    client_for(cast.village_worker).post(reverse("eldercare:family_rotate", args=[care.elder.pk]))
    care.elder.refresh_from_db()
    assert care.elder.family_token != old
    assert Client().get(reverse("eldercare:family", args=[old])).status_code == 404
    assert Client().get(reverse("eldercare:family", args=[care.elder.family_token])).status_code == 200
    row = AuditEvent.objects.get(object_type="eldercare_elder", summary__startswith="更换 周阿婆 的家属链接")
    assert row.actor == cast.village_worker and old not in row.summary


# ------------------------------------------------------------------ item 3: reads of personal data


def test_order_page_and_photos_are_audited_reads(cast: Any, care: CareWorld) -> None:
    order = to_service(cast, place(cast, care.elder, ["SC01"], at(3, 9)))
    staff = client_for(cast.hotline_operator)
    staff.get(reverse("eldercare:order", args=[order.pk]))
    shot = order.photos.first()
    b"".join(staff.get(reverse("eldercare:order_photo", args=[order.pk, shot.pk])).streaming_content)
    reads = AuditEvent.objects.filter(object_type="eldercare_order", object_id=str(order.pk), action="view")
    assert sorted(reads.values_list("data__via", flat=True)) == ["order_page", "photo"]
    assert reads.filter(summary=f"查看订单 {order.pk}（周阿婆）的照片", actor=cast.hotline_operator).exists()
    assert photo("x").size == len(PNG)


def test_statement_page_and_elder_list_are_audited_reads(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare.tests.test_money import _visited

    _visited(cast, care, 3, ["SC01"])
    statement = services.statement_build(actor=cast.provider, provider=care.provider, month=dt.date(2026, 11, 1))
    client_for(cast.county_approver).get(reverse("eldercare:statement", args=[statement.pk]))
    assert AuditEvent.objects.filter(
        object_type="eldercare_statement", action="view", actor=cast.county_approver, object_id=str(statement.pk)
    ).exists()
    client_for(cast.village_worker).get(reverse("eldercare:elders"), {"q": "周"})
    row = AuditEvent.objects.get(object_type="eldercare_elder", action="view", data__q="周")
    assert row.summary == "查看居家养老按姓名“周”查找（1 人）" and row.actor == cast.village_worker


def test_typed_dates_go_through_parse_day(cast: Any, care: CareWorld) -> None:
    from typer.testing import CliRunner

    from minzheng.cli import app as cli_app
    from minzheng.eldercare import cli as _eldercare_cli  # noqa: F401 - registers `eldercare`

    answer = CliRunner().invoke(cli_app, ["eldercare", "checks", "--date", "0001-01-01"])
    assert answer.exit_code == 1 and "核查日期“0001-01-01”超出可处理的范围" in answer.output
    page = client_for(cast.provider).get(reverse("eldercare:plan"), {"day": "0001-01-01"}, follow=True)
    assert page.status_code == 200 and "日期“0001-01-01”超出可处理的范围" in page.content.decode()


def test_typed_dates_on_forms_are_range_checked(cast: Any, care: CareWorld) -> None:
    c = client_for(cast.village_worker)
    form = {"assessed_on": "0001-01-01", "assessor_name": "王村", "reason": "first"}
    page = c.post(reverse("eldercare:assess", args=[care.elder.pk]), form).content.decode()
    assert "评估日期“0001-01-01”超出可处理的范围" in page
    device = {"id_number": care.elder.person.id_number, "serial": "YJT-0200", "installed_on": "1899-12-31"}
    answer = c.post(reverse("emergency:devices"), device)
    assert answer.status_code == 400 and "安装日期“1899-12-31”超出可处理的范围" in answer.content.decode()
