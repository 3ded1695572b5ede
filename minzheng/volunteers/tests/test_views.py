"""Pages: jurisdiction (404 outside), masking, audited reads and exports, the volunteer's own phone
pages, the organiser's confirmation, a social worker's caseload read from the other apps."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.volunteers import selectors
from minzheng.volunteers.models import Attendance
from minzheng.volunteers.tests.helpers import NEAR, World, served


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_outside_the_town_everything_is_404(world: World, cast: Any) -> None:
    other = client_for(cast.other_town_officer)
    att = served(world, cast)
    for url in (
        reverse("volunteers:detail", args=[world.volunteer.pk]),
        reverse("volunteers:activity", args=[world.activity.pk]),
        reverse("volunteers:station", args=[world.station.pk]),
        reverse("volunteers:me"),
    ):
        assert other.get(url).status_code == 404, url
    confirm = reverse("volunteers:confirm", args=[world.activity.pk, att.pk])
    assert other.post(confirm, {"minutes": 120}).status_code == 404
    assert client_for(cast.volunteer).get(reverse("volunteers:list")).status_code == 404
    att.refresh_from_db()
    assert att.status == Attendance.Status.SIGNED_OUT


def test_the_list_is_masked_the_detail_and_the_export_are_audited(world: World, cast: Any) -> None:
    c = client_for(cast.social_worker)
    page = c.get(reverse("volunteers:list")).content.decode()
    assert world.volunteer.volunteer_no in page and "张**" in page
    assert world.volunteer.person.id_number not in page and "张建国" not in page
    c.get(reverse("volunteers:detail", args=[world.volunteer.pk]))
    assert AuditEvent.objects.filter(object_type="volunteer", action="view").count() == 1
    got = c.get(reverse("volunteers:list") + "?export=xlsx")
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(object_type="volunteer_export", action="export").count() == 1
    from minzheng.volunteers import services_activity
    from minzheng.volunteers.models import Account

    services_activity.confirm(served(world, cast), actor=cast.social_worker)
    account = Account.objects.get()
    page = c.get(reverse("volunteers:account", args=[account.pk])).content.decode()
    assert "张**" in page and "2 小时" in page
    assert AuditEvent.objects.filter(object_type="timebank_account", action="view").count() == 1
    assert client_for(cast.other_town_officer).get(reverse("volunteers:account", args=[account.pk])).status_code == 404


def test_a_volunteer_signs_in_on_the_phone_and_the_organiser_confirms(world: World, cast: Any) -> None:
    phone = client_for(cast.volunteer)
    assert "陪伴独居老人" in phone.get(reverse("volunteers:me")).content.decode()
    act = world.activity
    sign_in = reverse("volunteers:sign_in", args=[act.pk])
    body = {"lat": NEAR[0], "lng": NEAR[1], "client_at": timezone.localtime().isoformat()}
    answer = phone.post(sign_in, body, HTTP_ACCEPT="application/json").json()
    assert answer == {"ok": True, "error": ""}
    again = phone.post(sign_in, body, HTTP_ACCEPT="application/json").json()  # the queue sent it twice
    assert again["ok"] and Attendance.objects.count() == 1
    far = phone.post(reverse("volunteers:sign_out", args=[act.pk]), {"lat": 29.80, "lng": 121.74},
                     HTTP_ACCEPT="application/json").json()  # fmt: skip
    assert not far["ok"] and "超过 300 米，请说明原因" in far["error"]
    out = phone.post(reverse("volunteers:sign_out", args=[act.pk]), {"lat": NEAR[0], "lng": NEAR[1]},
                     HTTP_ACCEPT="application/json").json()  # fmt: skip
    assert out["ok"]
    att = Attendance.objects.get()
    assert att.in_distance_m == 89 and att.status == Attendance.Status.SIGNED_OUT
    organiser = client_for(cast.social_worker)
    organiser.post(reverse("volunteers:confirm", args=[act.pk, att.pk]), {"minutes": att.minutes})
    att.refresh_from_db()
    assert att.status == Attendance.Status.CONFIRMED and att.confirmed_by == cast.social_worker
    assert "89 米" in organiser.get(reverse("volunteers:activity", args=[act.pk])).content.decode()


def test_a_social_workers_caseload_counts_what_they_hold_elsewhere(world: World, cast: Any) -> None:
    from minzheng.children.services import child_file_open
    from minzheng.childvisits.models import ChildVisit

    child = child_file_open(person=world.son, actor=None)
    ChildVisit.objects.create(child=child, division_code=child.division_code, visited_on=timezone.localdate(),
                              visitor=cast.social_worker, observed="stable", findings="学习生活正常")  # fmt: skip
    load = selectors.caseload(cast.social_worker)
    assert (load["child_visits"], load["activities"], load["cases_all"]) == (1, 1, 0)
    page = client_for(cast.town_officer).get(reverse("volunteers:station", args=[world.station.pk])).content.decode()
    assert 'data-label="儿童走访" class="num">1<' in page and "助理社会工作师" in page
    overview = client_for(cast.county_approver).get(reverse("volunteers:overview")).content.decode()
    assert "瞻岐镇社会工作站" in overview and "未建站" in overview  # 咸祥镇 has no station yet


def test_the_service_certificate_is_a_pdf_and_its_issue_is_audited(world: World, cast: Any) -> None:
    from minzheng.volunteers import services_activity
    from minzheng.volunteers.certificate import certificate_lines

    services_activity.confirm(served(world, cast, minutes=150), actor=cast.social_worker)
    lines = certificate_lines(world.volunteer)
    assert "参加志愿服务 1 次，累计服务时长 2 小时 30 分钟" in lines[0]
    assert world.volunteer.person.id_number not in lines[0] and "陪伴独居老人" in lines[2]
    got = client_for(cast.volunteer).get(reverse("volunteers:my_certificate"))
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    staff = client_for(cast.social_worker).get(reverse("volunteers:certificate", args=[world.volunteer.pk]))
    assert staff.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="volunteer", summary__startswith="出具志愿服务记录证明").count() == 2


def test_hours_waiting_on_the_organiser_are_on_the_list_until_confirmed(world: World, cast: Any) -> None:
    import datetime as dt

    from minzheng.volunteers import services_activity
    from minzheng.workitems.models import WorkItem
    from minzheng.workitems.services import refresh

    att = served(world, cast)
    refresh("volunteer_hours")
    assert not WorkItem.objects.exists()  # the activity has not ended yet
    ended = timezone.now() - dt.timedelta(minutes=1)
    type(world.activity).objects.filter(pk=world.activity.pk).update(ends_at=ended)
    refresh("volunteer_hours")
    item = WorkItem.objects.get(status="open")
    assert (item.role, item.division_code) == ("social_worker", world.activity.division_code)
    assert "1 名志愿者的服务时长待确认" in item.title and item.due_on > timezone.localdate() - dt.timedelta(days=1)
    services_activity.confirm(att, actor=cast.social_worker)
    refresh("volunteer_hours")
    assert not WorkItem.objects.filter(status="open").exists()


def test_the_staff_forms_write_through_the_services(world: World, cast: Any) -> None:
    from minzheng.testing import TOWN_B, VILLAGE_A
    from minzheng.volunteers.models import Account, Activity, SocialWorker, Station, Transfer

    xian = client_for(cast.other_town_officer)
    xian.post(reverse("volunteers:station_create"), {"town_code": TOWN_B, "name": "咸祥镇社会工作站"})
    station = Station.objects.get(town_code=TOWN_B)
    xian.post(reverse("volunteers:worker_add", args=[station.pk]),
              {"name": "赵社工", "certificate": "social", "certificate_no": "ZS-9"})  # fmt: skip
    assert SocialWorker.objects.get(station=station).certified
    sw = client_for(cast.social_worker)
    start = timezone.localtime() + timezone.timedelta(days=1)
    sw.post(reverse("volunteers:activity_create"), {
        "title": "助餐送餐", "kind": "meals", "division_code": VILLAGE_A, "place": "合一村助餐点", "lat": 29.77,
        "lng": 121.73, "starts_at": f"{start:%Y-%m-%dT09:00}", "ends_at": f"{start:%Y-%m-%dT11:00}", "radius_m": 200,
        "timebank": "on",
    })  # fmt: skip
    assert Activity.objects.get(title="助餐送餐").timebank
    from minzheng.volunteers import services_activity

    services_activity.confirm(served(world, cast), actor=cast.social_worker)
    account = Account.objects.get()
    form = {"receiver": world.spouse.id_number, "hours": "0.5", "request_key": "k1"}
    sw.post(reverse("volunteers:transfer", args=[account.pk]), form)
    sw.post(reverse("volunteers:transfer", args=[account.pk]), form)  # sent twice
    assert Transfer.objects.get().minutes == 30
    answer = sw.post(reverse("volunteers:draw", args=[account.pk]), {"items": [], "window_start": ""}, follow=True)
    assert "服务项目" in answer.content.decode()
    sw.post(reverse("volunteers:edit", args=[world.volunteer.pk]),
            {"skills": ["meals"], "weekdays": ["0"], "periods": ["pm"], "phone": "13800001111"})  # fmt: skip
    world.volunteer.refresh_from_db()
    assert (world.volunteer.skills, world.volunteer.active) == (["meals"], False)
