"""Pages through Django's test client: roles, jurisdiction (404), the hotline pop-up, the door, the family link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.eldercare import orders, services
from minzheng.eldercare.assessment import standard
from minzheng.eldercare.models import Order, OrderStatus
from minzheng.eldercare.testing import HOME, CareWorld, make_elder
from minzheng.eldercare.tests.helpers import PNG, at, place
from minzheng.testing import TOWN_B


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "role",
    ["village_worker", "town_officer", "county_approver", "provider", "caregiver", "hotline_operator", "auditor"],
)
def test_every_role_gets_a_working_navigation(cast: Any, care: CareWorld, role: str) -> None:
    page = client_for(getattr(cast, role)).get("/")
    assert page.status_code == 200


def test_hotline_pop_up_shows_profile_and_remaining_hours(cast: Any, care: CareWorld) -> None:
    c = client_for(cast.hotline_operator)
    page = c.get(reverse("eldercare:hotline_lookup"), {"phone": "+86 138-0057-0001"}, headers={"HX-Request": "true"})
    html = page.content.decode()
    assert "周阿婆" in html and "30 小时" in html and "周建华（子）" in html and "13905740002" in html
    assert "合一村 第二网格 8号" in html
    assert AuditEvent.objects.filter(object_type="eldercare_elder", action="view", data__via="hotline").exists()
    # A family member calling from an emergency contact's phone finds the same elder.
    assert "周阿婆" in c.get(reverse("eldercare:hotline_lookup"), {"phone": "13905740002"}).content.decode()
    assert "没有对应的服务对象" in c.get(reverse("eldercare:hotline_lookup"), {"phone": "13000000000"}).content.decode()


def test_hotline_order_then_dispatch(cast: Any, care: CareWorld) -> None:
    c = client_for(cast.hotline_operator)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    answer = c.post(
        reverse("eldercare:order_place", args=[care.elder.pk]),
        {
            "items": ["SC01", "SC02"],
            "day": tomorrow.isoformat(),
            "start": "09:00",
            "flex": "120",
            "caller": "13800570001",
        },
    )
    order = Order.objects.get()
    assert answer.status_code == 302 and (order.channel, order.minutes, order.price_fen) == ("hotline", 90, 6000)
    assert order.window_end - order.window_start == dt.timedelta(minutes=120 + 90)  # may start until 11:00
    detail = c.get(answer.url).content.decode()
    assert "居室清洁（60 分钟，40.00 元）" in detail and "就近派单" in detail
    c.post(reverse("eldercare:order_action", args=[order.pk, "dispatch"]))
    order.refresh_from_db()
    assert (order.status, order.caregiver) == (OrderStatus.DISPATCHED, care.caregiver)
    assert "胡理（瞻岐镇颐家居家养老服务中心）" in c.get(answer.url).content.decode()


def test_other_town_and_wrong_roles_get_404(cast: Any, care: CareWorld) -> None:
    order = place(cast, care.elder, ["SC01"], at(3, 9))
    other = client_for(cast.other_town_officer)
    assert other.get(reverse("eldercare:elder", args=[care.elder.pk])).status_code == 404
    assert other.get(reverse("eldercare:order", args=[order.pk])).status_code == 404
    assert other.get(reverse("eldercare:assess", args=[care.elder.pk])).status_code == 404
    assert client_for(cast.town_officer).get(reverse("eldercare:elder", args=[care.elder.pk])).status_code == 200
    assert client_for(cast.auditor).get(reverse("eldercare:elders")).status_code == 404
    assert client_for(cast.hotline_operator).get(reverse("eldercare:statements")).status_code == 404
    # The caregiver sees only orders assigned to them.
    assert client_for(cast.caregiver).get(reverse("eldercare:my_order", args=[order.pk])).status_code == 404
    approve = reverse("eldercare:statement_approve", args=[1])
    assert client_for(cast.provider).post(approve).status_code == 404
    assert client_for(cast.village_worker).get(reverse("eldercare:flags")).status_code == 404


def test_other_town_elder_is_invisible_to_the_village_worker(cast: Any, care: CareWorld) -> None:
    elsewhere = make_elder("咸阿公", household_no="YL-0005", division=TOWN_B + "200", serial="446", phone="13800570005")
    c = client_for(cast.village_worker)
    assert c.get(reverse("eldercare:elder", args=[elsewhere.pk])).status_code == 404
    assert "咸阿公" not in c.get(reverse("eldercare:elders")).content.decode()


def test_assessment_form_yields_the_level_and_reasons(cast: Any, care: CareWorld) -> None:
    c = client_for(cast.village_worker)
    form = c.get(reverse("eldercare:assess", args=[care.elder.pk]))
    assert form.status_code == 200 and "上下楼梯" in form.content.decode()
    data: dict[str, Any] = {
        "assessed_on": timezone.localdate().isoformat(),
        "assessor_name": "王村",
        "reason": "change",
    }
    for d, items in enumerate(standard().domains.values()):
        for i, (_, top) in enumerate(items.items()):
            data[f"item_{d}_{i}"] = str(top)
    data["diagnoses"] = "F03, I10"
    data["risk_跌倒"] = "2"
    page = c.post(reverse("eldercare:assess", args=[care.elder.pk]), data).content.decode()
    assert "90" in page and "确诊为痴呆（F03" in page and "以上情形同时存在时只提高一个级别" in page
    care.elder.refresh_from_db()
    assert care.elder.ability_level == 1
    assert care.elder.reassess_due.year == timezone.localdate().year + 1


def test_assessment_form_refuses_missing_items(cast: Any, care: CareWorld) -> None:
    c = client_for(cast.village_worker)
    data = {"assessed_on": timezone.localdate().isoformat(), "assessor_name": "王村", "reason": "first"}
    page = c.post(reverse("eldercare:assess", args=[care.elder.pk]), data)
    assert page.status_code == 400 and "这个字段是必填项" in page.content.decode()


def _accepted(cast: Any, care: CareWorld) -> Order:
    order = place(cast, care.elder, ["SC01"], at(3, 9))
    orders.order_dispatch(actor=cast.hotline_operator, order=order)
    return orders.order_accept(actor=cast.caregiver, order=order)


def test_queued_offline_check_in_posts_its_original_time(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    c = client_for(cast.caregiver)
    phone_time = (timezone.localtime() - dt.timedelta(minutes=40)).replace(microsecond=0)
    answer = c.post(
        reverse("eldercare:my_step", args=[order.pk, "check_in"]),
        {"lat": str(HOME[0]), "lng": str(HOME[1]), "client_at": phone_time.isoformat()},
        headers={"Accept": "application/json"},
    )
    assert answer.json() == {"ok": True, "status": "checked_in", "message": "已签到，距登记住址 0 米"}
    order.refresh_from_db()
    assert order.checkin_client_at == phone_time and order.checkin_at > phone_time + dt.timedelta(minutes=39)


def test_door_refusal_is_a_chinese_json_error(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    c = client_for(cast.caregiver)
    far = reverse("eldercare:my_step", args=[order.pk, "check_in"])
    answer = c.post(far, {"lat": "29.80", "lng": "121.80"}, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and "超过 300 米，请说明原因" in answer.json()["error"]
    garbled = c.post(far, {"lat": "29.77", "lng": "121.8", "client_at": "昨天"}, headers={"Accept": "application/json"})
    assert garbled.json() == {"ok": False, "error": "定位或手机时间格式不正确，请重试"}
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def test_photo_upload_and_check_out_through_the_phone_page(cast: Any, care: CareWorld) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _accepted(cast, care)
    c = client_for(cast.caregiver)
    c.post(reverse("eldercare:my_step", args=[order.pk, "check_in"]), {"lat": HOME[0], "lng": HOME[1]})
    for kind in ("before", "after"):
        upload = SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png")
        c.post(reverse("eldercare:my_photo", args=[order.pk]), {"kind": kind, "photo": upload})
    c.post(reverse("eldercare:my_step", args=[order.pk, "start"]))
    line = order.lines.get().pk
    c.post(
        reverse("eldercare:my_check_out", args=[order.pk]),
        {"lat": HOME[0], "lng": HOME[1], "done": [line], "confirmed_by": "周建华"},
    )
    order.refresh_from_db()
    assert (order.status, order.subsidy_fen, order.copay_fen) == (OrderStatus.CHECKED_OUT, 3200, 800)
    photo = order.photos.first()
    staff = client_for(cast.hotline_operator)
    shown = staff.get(reverse("eldercare:order_photo", args=[order.pk, photo.pk]))
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG


def test_family_link_shows_hours_and_takes_orders_without_an_account(cast: Any, care: CareWorld) -> None:
    c = Client()
    url = reverse("eldercare:family", args=[care.elder.family_token])
    page = c.get(url).content.decode()
    assert "本月剩余服务时长" in page and "30 小时" in page
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    c.post(url, {"items": ["ER01"], "day": tomorrow, "start": "10:00"})
    assert Order.objects.get().channel == "family"
    assert c.get(reverse("eldercare:family", args=["not-a-token"])).status_code == 404


def test_statement_pages_approve_and_export(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare.tests.test_money import _visited

    _visited(cast, care, 3, ["SC01"])
    provider = client_for(cast.provider)
    built = provider.post(reverse("eldercare:statements"), {"provider": care.provider.pk, "month": "2026-11"})
    assert built.status_code == 302
    county = client_for(cast.county_approver)
    detail = county.get(built.url).content.decode()
    assert "32.00" in detail and "8.00" in detail
    county.post(built.url + "approve/")
    assert "已审核" in county.get(built.url).content.decode()
    download = county.get(built.url + "export/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    # Reading the stream closes the file (calling close() would end the test's database connection).
    assert b"".join(download.streaming_content).startswith(b"PK")
    assert AuditEvent.objects.filter(action="export", object_type="eldercare_statement").count() == 1


def test_daily_plan_page_lists_routes_and_applies_them(cast: Any, care: CareWorld) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    day = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=timezone.get_current_timezone())
    first = place(cast, care.elder, ["SC01"], day)
    second = place(cast, care.elder, ["HM02"], day + dt.timedelta(hours=3))  # needs the nurse
    c = client_for(cast.provider)
    page = c.get(reverse("eldercare:plan"), {"day": tomorrow.isoformat()}).content.decode()
    assert "待派 2 单；安排 2 单" in page and "<polyline" in page and "周阿婆 居室清洁" in page
    c.post(reverse("eldercare:plan"), {"day": tomorrow.isoformat(), "provider": care.provider.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OrderStatus.DISPATCHED, OrderStatus.DISPATCHED)
    assert second.caregiver == care.nurse
    assert client_for(cast.hotline_operator).get(reverse("eldercare:plan")).status_code == 404


def test_plan_apply_skips_a_stop_over_an_existing_booking(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare import planning

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    nine = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=timezone.get_current_timezone())
    pending = place(cast, care.elder, ["HM02"], nine)  # only the nurse may do it, at 09:00 sharp
    result = planning.day_plan(care.provider, tomorrow)
    booked = place(cast, care.elder, ["SC01"], nine)  # meanwhile the nurse is given another 09:00 visit
    orders.order_dispatch(actor=cast.hotline_operator, order=booked, caregiver=care.nurse)
    assert planning.plan_apply(actor=cast.provider, day_plan_=result) == (0, [pending.pk])
    pending.refresh_from_db()
    assert pending.status == OrderStatus.PLACED


def test_village_worker_enrols_a_resident_of_the_village_only(cast: Any, care: CareWorld) -> None:
    from minzheng.testing import make_household

    _, people = make_household()
    c = client_for(cast.village_worker)
    form = {"id_number": people[0].id_number, "status": "tekun", "phone": "13805741234", "lat": "29.77", "lng": "121.8",
            "contact_name": "李秀英", "contact_relation": "配偶", "contact_phone": "13905745678"}  # fmt: skip
    answer = c.post(reverse("eldercare:elder_new"), form)
    assert answer.status_code == 302
    elder = people[0].elder
    assert (elder.status, elder.emergency_contacts[0]["name"], elder.family_token != "") == ("tekun", "李秀英", True)
    again = c.post(reverse("eldercare:elder_new"), form)
    assert "已是居家养老服务对象" in again.content.decode()
    elsewhere = make_elder("咸阿公", household_no="YL-0005", division=TOWN_B + "200", serial="446", phone="13800570005")
    refused = c.post(reverse("eldercare:elder_new"), dict(form, id_number=elsewhere.person.id_number))
    assert "本辖区居民库中没有这个身份号码" in refused.content.decode()


def test_providers_page_and_reassessment_worklist(cast: Any, care: CareWorld) -> None:
    page = client_for(cast.town_officer).get(reverse("eldercare:providers")).content.decode()
    assert "瞻岐镇颐家居家养老服务中心" in page and "服务区域：瞻岐镇" in page and "护士" in page
    assert "胡理（账号 huli）" in page
    assert client_for(cast.hotline_operator).get(reverse("eldercare:providers")).status_code == 404
    c = client_for(cast.village_worker)
    assert "周阿婆" not in c.get(reverse("eldercare:elders"), {"due": "1"}).content.decode()  # due in 2027
    services.elder_condition_changed(actor=cast.village_worker, elder=care.elder, note="跌倒后卧床")
    assert "周阿婆" in c.get(reverse("eldercare:elders"), {"due": "1"}).content.decode()


def test_operator_is_warned_when_an_order_exceeds_the_remaining_hours(cast: Any, care: CareWorld) -> None:
    from pathlib import Path

    from minzheng.eldercare.tests.test_money import regional

    day = timezone.localdate() + dt.timedelta(days=1)
    regional(Path(settings.DATA_DIR), "eldercare.hours.dibao.2", 1, start=day.replace(day=1).isoformat())
    c = client_for(cast.hotline_operator)
    url = reverse("eldercare:order_place", args=[care.elder.pk])
    first = c.post(url, {"items": ["SC02"], "day": day.isoformat(), "start": "09:00"}, follow=True).content.decode()
    assert "超出本月剩余应享时长" not in first  # 30 of 60 minutes
    second = c.post(url, {"items": ["SC01"], "day": day.isoformat(), "start": "14:00"}, follow=True).content.decode()
    assert "本单 60 分钟超出本月剩余应享时长 30 分钟，超出部分不予补贴、由个人自付" in second


def test_provider_registers_its_own_caregiver(cast: Any, care: CareWorld) -> None:
    from minzheng.eldercare.models import Caregiver

    c = client_for(cast.provider)
    url = reverse("eldercare:caregiver_new", args=[care.provider.pk])
    form = {"name": "孙护理", "qualifications": ["care_worker", "rehab"], "home_lat": "29.77", "home_lng": "121.80",
            "work_start": "08:00", "work_end": "16:00", "work_days": ["0", "2", "4"]}  # fmt: skip
    assert "下班时间应晚于上班时间" in c.post(url, dict(form, work_end="07:00")).content.decode()
    assert c.post(url, form).status_code == 302
    added = Caregiver.objects.get(name="孙护理")
    assert (added.provider, added.qualifications, added.work_days) == (
        care.provider,
        ["care_worker", "rehab"],
        [0, 2, 4],
    )
    other = services.provider_create(actor=None, name="别家", division_code=TOWN_B, service_area=[TOWN_B])
    assert c.get(reverse("eldercare:caregiver_new", args=[other.pk])).status_code == 404
    assert client_for(cast.town_officer).get(url).status_code == 404
