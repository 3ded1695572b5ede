"""Pages: intake form, the audited rescue file, the ledgers scoped to the grid (404 outside), follow-up form,
the masked and audited export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.documents.models import Attachment
from minzheng.registry.models import Person
from minzheng.registry.services import LOOKUP_REFUSED
from minzheng.rescue import services
from minzheng.rescue import services_ledger as ledger
from minzheng.rescue.models import LedgerEntry, Stay
from minzheng.testing import COUNTY, VILLAGE_A, Cast, make_household

TODAY = timezone.localdate()
TOWN_B_VILLAGE = "330212101201"  # 咸祥镇, outside 瞻岐镇


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def person(cast: Cast) -> Person:
    return make_household()[1][0]


def test_intake_form_creates_an_unidentified_stay(cast: Cast) -> None:
    form = {
        "name": "",
        "description": "女，约七十岁，说话不清",
        "found_at": "鄞州公园",
        "found_on": TODAY.isoformat(),
        "brought_by": "public",
        "risks": ["dementia"],
        "admitted_on": TODAY.isoformat(),
    }
    response = client_for(cast.rescue_staff).post("/rescue/intake/", form)
    stay = Stay.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rescue/stays/{stay.pk}/"
    assert (stay.identified, stay.risks, stay.division_code) == (False, ["dementia"], COUNTY)
    page = client_for(cast.rescue_staff).get("/rescue/").content.decode()
    assert "无名氏" in page and "未查明" in page and "比对待反馈" not in page
    services.identity_request(stay, method="face", actor=cast.rescue_staff)
    assert "比对待反馈" in client_for(cast.rescue_staff).get("/rescue/").content.decode()


def test_intake_photo_is_stored_and_read_back_audited(cast: Cast) -> None:
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    form = {"description": "男，约四十岁", "found_at": "东部新城", "found_on": TODAY, "brought_by": "police"}
    client = client_for(cast.rescue_staff)
    client.post("/rescue/intake/", {**form, "admitted_on": TODAY, "photo": photo})
    stay = Stay.objects.get()
    attachment = Attachment.objects.get(owner_type="rescue_stay", owner_id=str(stay.pk))
    assert (
        f"/rescue/stays/{stay.pk}/photos/{attachment.pk}/" in client.get(f"/rescue/stays/{stay.pk}/").content.decode()
    )
    response = client.get(f"/rescue/stays/{stay.pk}/photos/{attachment.pk}/")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(object_type="rescue_stay", summary__startswith="查看附件").count() == 1


def test_intake_without_description_is_refused_in_chinese(cast: Cast) -> None:
    form = {"found_at": "鄞州公园", "found_on": TODAY, "brought_by": "self", "admitted_on": TODAY}
    response = client_for(cast.rescue_staff).post("/rescue/intake/", form, follow=True)
    assert "身份未明的受助人员须填写体貌特征或自报姓名" in response.content.decode()
    assert not Stay.objects.exists()


def test_reading_a_rescue_file_is_audited_and_only_for_the_station(cast: Cast, person: Person) -> None:
    data = services.Intake("火车站", TODAY, "police", TODAY, id_number=person.id_number)
    stay = services.intake_create(data, station=COUNTY, actor=cast.rescue_staff)
    response = client_for(cast.rescue_staff).get(f"/rescue/stays/{stay.pk}/")
    assert response.status_code == 200 and "救助档案：张建国" in response.content.decode()
    read = AuditEvent.objects.filter(object_type="rescue_stay", object_id=str(stay.pk), action="view")
    assert read.count() == 1 and read.get().actor_username == "zhengzhan"
    assert client_for(cast.town_officer).get(f"/rescue/stays/{stay.pk}/").status_code == 404
    again = services.intake_create(data, station=COUNTY, actor=cast.rescue_staff)  # a repeat wanderer
    assert "此人以往救助（1 次）" in client_for(cast.rescue_staff).get(f"/rescue/stays/{again.pk}/").content.decode()


def test_return_form_puts_the_person_on_the_ledger(cast: Cast, person: Person) -> None:
    data = services.Intake("火车站", TODAY, "police", TODAY, id_number=person.id_number)
    stay = services.intake_create(data, station=COUNTY, actor=cast.rescue_staff)
    form = {"escort": "郑站", "receiving_division": VILLAGE_A, "receiver": "王村", "on": TODAY.isoformat()}
    client_for(cast.rescue_staff).post(f"/rescue/stays/{stay.pk}/return/", form)
    assert Stay.objects.get(pk=stay.pk).status == "returned"
    assert LedgerEntry.objects.get().division_code == VILLAGE_A


def _entries(cast: Cast, person: Person) -> tuple[LedgerEntry, LedgerEntry]:
    mine = ledger.entry_open(
        "returned",
        ledger.Who(
            name="张建国", division_code=VILLAGE_A, person=person, id_number=person.id_number, phone=person.phone
        ),
        on=TODAY,
        actor=cast.rescue_staff,
    )
    other = ledger.entry_open(
        "returned", ledger.Who(name="赵外镇", division_code=TOWN_B_VILLAGE), on=TODAY, actor=cast.rescue_staff
    )
    return mine, other


def test_town_contact_sees_only_their_town(cast: Cast, person: Person) -> None:
    mine, other = _entries(cast, person)
    town = client_for(cast.town_officer)
    page = town.get("/rescue/ledger/?kind=returned").content.decode()
    assert "张**" in page and "张建国" not in page and "赵外" not in page  # names masked in the list
    assert "瞻岐镇</a>：1 人" in page and "合一村</a>：1 人" in page and "咸祥镇" not in page
    assert "3302**********4412" in page and "330212197803154412" not in page  # masked in the list
    assert town.get(f"/rescue/ledger/{mine.pk}/").status_code == 200
    assert town.get(f"/rescue/ledger/{other.pk}/").status_code == 404
    assert (
        town.post(f"/rescue/ledger/{other.pk}/followup/", {"visited_on": TODAY, "outcome": "at_home"}).status_code
        == 404
    )
    station = client_for(cast.rescue_staff).get("/rescue/ledger/?kind=returned").content.decode()
    assert "张**" in station and "赵**" in station  # the county station sees every town
    assert client_for(cast.caregiver).get("/rescue/ledger/").status_code == 404


def test_follow_up_form_on_the_phone(cast: Cast, person: Person) -> None:
    mine, _ = _entries(cast, person)
    village = client_for(cast.village_worker)
    assert "张建国" in village.get("/rescue/due/").content.decode() or mine.next_due_on > TODAY
    response = village.post(f"/rescue/ledger/{mine.pk}/followup/", {"visited_on": TODAY, "outcome": "at_home"})
    assert response.status_code == 302
    assert mine.followups.get().outcome == "at_home"
    assert AuditEvent.objects.filter(object_type="rescue_entry", object_id=str(mine.pk), action="create").count() == 2


def test_export_is_masked_and_audited(cast: Cast, person: Person) -> None:
    _entries(cast, person)
    response = client_for(cast.town_officer).get("/rescue/ledger/export/?kind=returned")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "公民身份号码", "联系电话")
    assert rows[1:] == [
        (
            "张建国",
            "3302**********4412",
            "138****1234",
            VILLAGE_A,
            "合一村",
            None,
            TODAY.isoformat(),
            rows[1][7],
            None,
            "未回访",
        )
    ]
    event = AuditEvent.objects.get(object_type="rescue_export")
    assert (event.action, event.actor_username, event.data["rows"]) == ("export", "lizhen", 1)


def test_closing_an_entry_moves_it_to_the_closed_tab_and_stops_the_schedule(cast: Cast, person: Person) -> None:
    from minzheng.rescue import items
    from minzheng.workitems.models import WorkItem

    mine, _ = _entries(cast, person)
    LedgerEntry.objects.filter(pk=mine.pk).update(next_due_on=TODAY - dt.timedelta(days=10))
    town = client_for(cast.town_officer)
    town.post(f"/rescue/ledger/{mine.pk}/close/", {"reason": ""})
    assert LedgerEntry.objects.get(pk=mine.pk).closed_on is None  # a reason is required
    town.post(f"/rescue/ledger/{mine.pk}/close/", {"reason": "已随子女定居外省"})
    assert "张**" not in town.get("/rescue/ledger/?kind=returned").content.decode()
    assert "张**" in town.get("/rescue/ledger/?kind=returned&closed=1").content.decode()
    items.refresh_rescue_items()
    assert not WorkItem.objects.filter(source=items.FOLLOWUP_SOURCE, subject_id=str(mine.pk)).exists()


def test_typed_numbers_are_audited_and_rate_limited(cast: Cast, person: Person, settings: object) -> None:
    settings.REGISTRY_LOOKUP_RATE = "1/minute"  # type: ignore[attr-defined]
    form = {
        "found_at": "鄞州公园", "found_on": TODAY.isoformat(), "brought_by": "public",
        "admitted_on": TODAY.isoformat(), "description": "男，约五十岁",
    }  # fmt: skip
    client = client_for(cast.rescue_staff)
    client.post("/rescue/intake/", form)  # no number typed: no lookup
    client.post("/rescue/intake/", {**form, "id_number": person.id_number})
    page = client.post("/rescue/intake/", {**form, "id_number": person.id_number}, follow=True).content.decode()
    assert LOOKUP_REFUSED in page
    assert Stay.objects.count() == 2 and Stay.objects.filter(person=person).count() == 1
    rows = AuditEvent.objects.filter(object_type="person_number").order_by("pk")
    purpose = "救助站入站登记"
    assert [(r.data["purpose"], r.data["refused"]) for r in rows] == [(purpose, False), (purpose, True)]
