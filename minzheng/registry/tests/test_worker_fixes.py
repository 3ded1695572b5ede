"""Issue 9 item 9: dead ends a worker hit on the registry pages."""

from __future__ import annotations

import pytest
from django.test import Client

from minzheng.registry.models import ChangeRecord, Household, Person
from minzheng.registry.services import RegistryError, household_create, person_create
from minzheng.testing import VILLAGE_A, Cast, make_household

TEN_DIGITS = "1380574123"
PHONE_REFUSED = f"“{TEN_DIGITS}”不是 11 位手机号或带区号的固定电话"


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize(
    ("building", "unit", "room", "address"),
    [
        ("5幢", "2单元", "301室", "第一网格 5幢 2单元 301室"),
        ("5", "2", "301", "第一网格 5幢 2单元 301室"),
        ("7栋", "", "12号", "第一网格 7栋 12号"),
        (" 5幢 ", "", "", "第一网格 5幢"),
    ],
)
def test_address_never_labels_a_level_twice(county: None, building: str, unit: str, room: str, address: str) -> None:
    household = Household(grid="第一网格", building=building, unit=unit, room=room)
    assert household.grid_address == address


def test_household_page_labels_the_building_once(cast: Cast) -> None:
    household = household_create(actor=None, household_no="H5", division_code=VILLAGE_A, building="5幢", room="301室")
    html = client_for(cast.village_worker).get(f"/registry/households/{household.pk}/").content.decode()
    assert "合一村 5幢 301室" in html and "幢幢" not in html and "室室" not in html


def test_add_member_form_refuses_the_phone_the_edit_form_refuses(cast: Cast) -> None:
    household, people = make_household()
    client = client_for(cast.village_worker)
    member = {"name": "张二", "id_number": "330212198004226058", "relation": "女", "phone": TEN_DIGITS}
    added = client.post(f"/registry/households/{household.pk}/members/", member)
    edited = client.post(f"/registry/persons/{people[0].pk}/edit/", {"phone": TEN_DIGITS, "tags_text": ""})
    assert added.status_code == edited.status_code == 400
    assert PHONE_REFUSED in added.content.decode() and PHONE_REFUSED in edited.content.decode()
    assert not Person.objects.filter(name="张二").exists()
    new = {"household_no": "HY-9", "division": VILLAGE_A, "head_name": "周大", "head_id_number": "330212197803154439"}
    refused = client.post("/registry/households/new/", {**new, "head_phone": TEN_DIGITS})
    assert refused.status_code == 400 and PHONE_REFUSED in refused.content.decode()


def test_service_refuses_a_bad_phone_for_every_caller(cast: Cast) -> None:
    household, _ = make_household()
    with pytest.raises(RegistryError, match=f"^联系电话：{PHONE_REFUSED}$"):
        person_create(actor=None, household=household, name="张二", id_number="330212198004226058", relation="女",
                      phone=TEN_DIGITS)  # fmt: skip
    person = person_create(actor=None, household=household, name="张三", id_number="330212198004226058",
                           relation="女", phone="138 0574 1299")  # fmt: skip
    assert person.phone == "13805741299"


def test_adding_a_member_records_history(cast: Cast) -> None:
    household, _ = make_household()
    client = client_for(cast.village_worker)
    member = {"name": "张二", "id_number": "330212198004226058", "relation": "女", "phone": "13805741299"}
    assert client.post(f"/registry/households/{household.pk}/members/", member).status_code == 302
    record = ChangeRecord.objects.get(new_value="新增 张二（女）")
    assert (record.field, record.household_id, record.person.name, record.changed_by) == (
        "家庭成员",
        household.pk,
        "张二",
        cast.village_worker,
    )
    assert record.source == "页面新增"
    html = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "新增 张二（女）" in html


def test_service_caps_names_and_address_levels_like_the_import(cast: Cast) -> None:
    household, _ = make_household()
    with pytest.raises(RegistryError, match=r"^姓名：超过 64 个字$"):
        person_create(actor=None, household=household, name="长" * 5_000_000, id_number="330212198004226058",
                      relation="女")  # fmt: skip
    with pytest.raises(RegistryError, match=r"^楼栋：超过 40 个字$"):
        household_create(actor=None, household_no="H9", division_code=VILLAGE_A, building="5" * 41)
    with pytest.raises(RegistryError, match=r"^户编号：含有空字符（NUL）$"):
        household_create(actor=None, household_no="H\x009", division_code=VILLAGE_A)
