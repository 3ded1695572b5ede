"""婚姻登记: booking → registration with its certificate number → the 婚育户一件事; 法定婚龄, one live
marriage, the divorce 冷静期 window; adoption's legal conditions; pages scoped, masked, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.core.idnumber import check_digit
from minzheng.lifeevents.models import LifeEvent
from minzheng.marriage import services, services_adoption
from minzheng.marriage.models import Appointment, Registration
from minzheng.registry.models import Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import COUNTY, VILLAGE_A, Cast
from minzheng.workflow.services import TransitionRefused

TODAY = timezone.localdate()


def ident(birth: dt.date, serial: str) -> str:
    """A valid 18-digit number born on `birth`; `serial`'s last digit odd = male, even = female."""
    first = f"330212{birth:%Y%m%d}{serial}"
    return first + check_digit(first)


def years_ago(n: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - n) - dt.timedelta(days=days)


@pytest.fixture
def couple(cast: Cast) -> tuple[Person, Person]:
    home = household_create(actor=None, household_no="HY-0001", division_code=VILLAGE_A)
    groom = person_create(
        actor=None, household=home, name="王新郎", id_number=ident(years_ago(26), "011"), relation="户主"
    )
    home2 = household_create(actor=None, household_no="HY-0002", division_code=VILLAGE_A)
    bride = person_create(
        actor=None, household=home2, name="陈新娘", id_number=ident(years_ago(24), "022"), relation="户主"
    )
    return groom, bride


def book(cast: Cast, a: Person | str, b: Person | str, kind: str = "marry") -> Appointment:
    ida, idb = (x.id_number if isinstance(x, Person) else x for x in (a, b))
    couple = services.Couple("王新郎", ida, "陈新娘", idb)
    return services.book(couple, kind=kind, on=TODAY, slot="09:00-10:00", office=COUNTY, actor=cast.marriage_registrar)


def test_marriage_registration_numbers_the_certificate_and_starts_the_life_event(
    cast: Cast, couple: tuple[Person, Person]
) -> None:
    groom, bride = couple
    reg = services.register(book(cast, groom, bride), actor=cast.marriage_registrar)
    assert reg.certificate_no == f"J330212-{TODAY.year}-000001"
    assert (reg.person_a, reg.person_b, reg.appointment.status) == (groom, bride, "registered")
    event = LifeEvent.objects.get(kind="marriage")
    assert event.person == bride  # the woman's side when both are residents; the groom is the partner
    # A second marriage of either party is refused while this one stands.
    with pytest.raises(services.MarriageError, match=r"已于 .* 登记结婚"):
        services.register(book(cast, groom, ident(years_ago(30), "042")), actor=cast.marriage_registrar)
    other = services.register(
        book(cast, ident(years_ago(40), "051"), ident(years_ago(35), "062")), actor=cast.marriage_registrar
    )
    assert other.certificate_no.endswith("-000002") and other.person_a is None
    assert LifeEvent.objects.filter(kind="marriage").count() == 1  # non-residents: no event here


def test_marriage_age_and_sexes_are_checked(cast: Cast) -> None:
    with pytest.raises(services.MarriageError, match=r"未达法定婚龄.*22"):
        book(cast, ident(years_ago(22, -1), "011"), ident(years_ago(25), "022"))  # one day short of 22
    with pytest.raises(services.MarriageError, match="一男一女"):
        book(cast, ident(years_ago(30), "011"), ident(years_ago(30), "031"))
    assert book(cast, ident(years_ago(22), "011"), ident(years_ago(20), "022")).status == "booked"


def test_divorce_waits_for_the_cooling_off_period_and_issues_within_thirty_days(
    cast: Cast, couple: tuple[Person, Person]
) -> None:
    groom, bride = couple
    marriage = services.register(book(cast, groom, bride), actor=cast.marriage_registrar)
    appt = book(cast, groom, bride, "divorce")
    assert appt.applied_on == TODAY
    with pytest.raises(services.MarriageError, match="离婚冷静期"):
        services.register(appt, actor=cast.marriage_registrar)
    # 民法典第一千零七十七条: day 31 after the application at the earliest, day 60 at the latest.
    assert services.cooling_window(dt.date(2026, 1, 1)) == (dt.date(2026, 2, 1), dt.date(2026, 3, 2))
    Appointment.objects.filter(pk=appt.pk).update(applied_on=TODAY - dt.timedelta(days=61))
    appt.refresh_from_db()
    with pytest.raises(services.MarriageError, match="离婚冷静期"):
        services.register(appt, actor=cast.marriage_registrar)
    Appointment.objects.filter(pk=appt.pk).update(applied_on=TODAY - dt.timedelta(days=31))
    appt.refresh_from_db()
    divorce = services.register(appt, actor=cast.marriage_registrar)
    assert (divorce.certificate_no, divorce.marriage) == (f"L330212-{TODAY.year}-000001", marriage)
    assert services.live_marriage(groom.id_number) is None


def test_a_withdrawn_application_cannot_be_registered(cast: Cast, couple: tuple[Person, Person]) -> None:
    appt = book(cast, couple[0], couple[1], "divorce")
    with pytest.raises(TransitionRefused):
        services.appointment_close(appt, "cancelled", actor=cast.marriage_registrar)  # a reason is required
    services.appointment_close(appt, "cancelled", actor=cast.marriage_registrar, reason="女方撤回离婚申请")
    with pytest.raises(services.MarriageError, match="不能办理登记"):
        services.register(appt, actor=cast.marriage_registrar)


def adoption(**extra: object) -> services_adoption.AdoptionData:
    fields: dict[str, object] = {
        "child_name": "小宝", "child_id_number": ident(years_ago(3), "012"), "adopter_name": "周收养",
        "adopter_id_number": ident(years_ago(35), "022"), "registered_on": TODAY,
    }  # fmt: skip
    fields.update(extra)
    return services_adoption.AdoptionData(**fields)  # type: ignore[arg-type]


def test_adoption_conditions(cast: Cast) -> None:
    reg = services_adoption.adoption_register(adoption(), office=COUNTY, actor=cast.marriage_registrar)
    assert reg.certificate_no == f"SY330212-{TODAY.year}-000001" and reg.child_birth_date == years_ago(3)
    cases = {
        "年满 30 周岁": {"adopter_id_number": ident(years_ago(29), "022")},
        "未成年人": {"child_id_number": ident(years_ago(18), "012")},
        "两名以上子女": {"children_before": 2},
        "相差 40 周岁": {"adopter_id_number": ident(years_ago(35), "031")},  # single man, girl of 3
    }
    for words, extra in cases.items():
        with pytest.raises(services.MarriageError, match=words):
            services_adoption.adoption_register(adoption(**extra), office=COUNTY, actor=cast.marriage_registrar)
    married = adoption(
        adopter_id_number=ident(years_ago(35), "031"), spouse_name="周妻", spouse_id_number=ident(years_ago(33), "042")
    )
    assert services_adoption.adoption_register(married, office=COUNTY, actor=cast.marriage_registrar).pk
    services_adoption.adoption_dissolve(reg, on=TODAY, reason="协议解除", actor=cast.marriage_registrar)
    with pytest.raises(services.MarriageError, match="已解除"):
        services_adoption.adoption_dissolve(reg, on=TODAY, reason="再次", actor=cast.marriage_registrar)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_book_register_and_export_masked(cast: Cast, couple: tuple[Person, Person]) -> None:
    groom, bride = couple
    registrar = client_for(cast.marriage_registrar)
    form = {
        "kind": "marry", "on": TODAY.isoformat(), "slot": "09:00-10:00", "name_a": "王新郎",
        "id_number_a": groom.id_number, "name_b": "陈新娘", "id_number_b": bride.id_number,
    }  # fmt: skip
    response = registrar.post("/marriage/appointments/new/", form)
    appt = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/marriage/appointments/{appt.pk}/"
    page = registrar.get("/marriage/").content.decode()
    assert "王**" in page and "王新郎" not in page and groom.id_number not in page  # masked in the list
    response = registrar.post(f"/marriage/appointments/{appt.pk}/", {"act": "register"})
    reg = Registration.objects.get()
    assert response["Location"] == f"/marriage/registrations/{reg.pk}/"
    assert groom.id_number in registrar.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(object_type="marriage_registration", action="view").count() == 1
    data = registrar.get("/marriage/registrations/export/").content
    cells = [c.value for c in load_workbook(io.BytesIO(data)).active[2]]
    assert cells[1] == reg.certificate_no and groom.id_number not in cells
    assert AuditEvent.objects.filter(object_type="marriage_export").count() == 1
    # Other roles and other counties: 404.
    assert client_for(cast.town_officer).get("/marriage/").status_code == 404
    assert client_for(cast.funeral_officer).get(f"/marriage/registrations/{reg.pk}/").status_code == 404
    Registration.objects.filter(pk=reg.pk).update(division_code="330723")
    assert registrar.get(f"/marriage/registrations/{reg.pk}/").status_code == 404
