from __future__ import annotations

import pytest
from django.http import Http404

from minzheng.registry.access import access_household, access_person
from minzheng.registry.search import person_search
from minzheng.testing import Cast, make_household


def test_person_visible_inside_jurisdiction(cast: Cast) -> None:
    _, people = make_household()
    for user in (cast.village_worker, cast.town_officer, cast.county_approver, cast.hotline_operator):
        assert access_person(user, people[0].pk).name == "张建国"


@pytest.mark.parametrize("who", ["other_town_officer", "auditor", "caregiver", "provider"])
def test_person_outside_jurisdiction_or_role_is_404(cast: Cast, who: str) -> None:
    household, people = make_household()
    user = getattr(cast, who)
    with pytest.raises(Http404):
        access_person(user, people[0].pk)
    with pytest.raises(Http404):
        access_household(user, household.pk)


def test_search_by_name_id_and_phone_is_scoped(cast: Cast) -> None:
    make_household()
    assert [p.name for p in person_search(user=cast.town_officer, q="张").persons] == ["张小明", "张建国"]
    full_width = "３３０２１２１９７８０３１５４４１２"
    assert [p.name for p in person_search(user=cast.town_officer, q=full_width).persons] == ["张建国"]
    assert [p.name for p in person_search(user=cast.town_officer, q="13905745678").persons] == ["李秀英"]
    assert person_search(user=cast.other_town_officer, q="张").persons == []


def test_household_outside_jurisdiction_cannot_be_created(cast: Cast) -> None:
    from minzheng.registry.services import RegistryError, household_create

    with pytest.raises(RegistryError, match=r"^现住址区划代码：330212101200 不在您的管辖范围内$"):
        household_create(actor=cast.village_worker, household_no="X1", division_code="330212101200")
    with pytest.raises(RegistryError, match=r"^现住址区划代码：330212100000 不是村（社区）级区划$"):
        household_create(actor=cast.town_officer, household_no="X1", division_code="330212100000")
