"""Pages: the operator sees and works only its own institution (INSTITUTION_CODE); town and county
officers see their jurisdiction; lists are masked; reads and exports are audited."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.institutions import services
from minzheng.institutions.models import Institution, Resident
from minzheng.institutions.tests.conftest import elder
from minzheng.testing import PASSWORD


def _client(user: object) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return c


def _resident(inst: Institution) -> Resident:
    data = services.Admission(person=elder("钱阿公"), admitted_on=dt.date(2025, 3, 1), care_level=2,
                              level_assessed_on=dt.date(2025, 3, 1))  # fmt: skip
    return services.admit(inst, data, actor=None)


def test_operator_sees_only_its_own_institution(inst: Institution, other_inst: Institution, cast: object) -> None:
    c = _client(cast.institution_operator)  # type: ignore[attr-defined]
    own_res, other_res = _resident(inst), _resident(other_inst)
    assert c.get("/institutions/").url == f"/institutions/{inst.pk}/"
    page = c.get(f"/institutions/{inst.pk}/")
    assert page.status_code == 200 and "钱**" in page.text and "钱阿公" not in page.text
    assert c.get(f"/institutions/{other_inst.pk}/").status_code == 404
    assert c.get(f"/institutions/residents/{other_res.pk}/").status_code == 404
    assert c.get(f"/institutions/{other_inst.pk}/admit/").status_code == 404
    assert c.get(f"/institutions/residents/{own_res.pk}/").status_code == 200
    assert AuditEvent.objects.filter(object_type="institution_resident", action="view").count() == 1
    assert c.get(f"/institutions/{inst.pk}/rating/").status_code == 404  # rating is the county's


def test_operator_admits_on_the_phone_form(inst: Institution, cast: object) -> None:
    c = _client(cast.institution_operator)  # type: ignore[attr-defined]
    person = elder("周阿婆")
    answer = c.post(f"/institutions/{inst.pk}/admit/", {
        "id_number": person.id_number, "admitted_on": "2025-03-01", "supply": "self", "care_level": "3",
        "level_assessed_on": "2025-02-20", "agreement_no": "HT-001", "bed_no": "201-1",
    })  # fmt: skip
    assert answer.status_code == 302
    assert Resident.objects.get(person=person).care_level == 3
    refused = c.post(f"/institutions/{inst.pk}/admit/", {"id_number": person.id_number, "admitted_on": "2025-03-01",
                                                          "supply": "self", "care_level": "3",
                                                          "level_assessed_on": "2025-02-20"})  # fmt: skip
    assert "仍在机构入住" in refused.text


def test_town_and_county_scoping_and_export(inst: Institution, other_inst: Institution, cast: object) -> None:
    town = _client(cast.town_officer)  # type: ignore[attr-defined]
    listing = town.get("/institutions/")
    assert inst.name in listing.text and other_inst.name not in listing.text
    assert town.get(f"/institutions/{other_inst.pk}/").status_code == 404
    county = _client(cast.county_approver)  # type: ignore[attr-defined]
    sheet = county.get("/institutions/?export=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(object_type="institution_export").count() == 1
    assert county.get("/institutions/coverage/").status_code == 200
    assert _client(cast.village_worker).get("/institutions/").status_code == 404  # type: ignore[attr-defined]


def test_the_entitlement_page_says_it_is_paid_to_the_institution(inst: Institution, cast: object) -> None:
    from minzheng.institutions.models import Resident as Res
    from minzheng.payments import services as payments

    person = elder("吴五保", tags="特困人员")
    ent = payments.entitlement_create(
        programme_id="tekun", subject=person, payee=person, amount_fen=134_900, from_month=dt.date(2025, 1, 1),
        source="case", reason="特困人员认定", actor=None,
    )  # fmt: skip
    services.institution_account_set(inst, bank_code="NBCB", bank_name="宁波银行", account_no="8101000099998888",
                                     reason="机构对公账户", actor=cast.county_approver)  # type: ignore[attr-defined]  # fmt: skip
    data = services.Admission(person=person, admitted_on=dt.date(2025, 3, 1), care_level=3,
                              level_assessed_on=dt.date(2025, 3, 1), supply=Res.Supply.TEKUN)  # fmt: skip
    services.admit(inst, data, actor=None)
    page = _client(cast.county_approver).get(f"/payments/entitlements/{ent.pk}/")  # type: ignore[attr-defined]
    assert f"集中供养：付至单位 {inst.code} 的账户 宁波银行 尾号 8888" in page.text
