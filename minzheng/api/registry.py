"""Registry endpoints: jurisdiction-scoped and audited exactly like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from minzheng.accounts.access import can_read_registry, can_unmask, require
from minzheng.audit.services import client_ip
from minzheng.divisions.selectors import division_full_name
from minzheng.registry import selectors, services
from minzheng.registry.access import access_household, access_household_by_no, access_person
from minzheng.registry.models import Household, Person
from minzheng.registry.selectors import PersonRow

from .schemas import Error, HouseholdDetail, Me, PersonDetail, PersonItem, Unmasked, UnmaskIn

router = Router(tags=["居民与户"])


def _item(person: Person) -> dict[str, Any]:
    r = PersonRow.of(person, today=timezone.localdate())
    return {
        "id": r.id,
        "name": r.name,
        "sex": r.sex,
        "age": r.age,
        "id_number": r.id_number_masked,
        "phone": r.phone_masked,
        "household_id": r.household_id,
        "household_no": r.household_no,
        "relation": r.relation,
        "tags": r.tags_text,
    }


@router.get("/me", response=Me, summary="当前账号", tags=["账号"])
def me(request: HttpRequest) -> dict[str, Any]:
    u = request.user
    return {"username": u.username, "role": u.role, "role_label": u.role_label, "jurisdiction": u.jurisdiction}


@router.get(
    "/persons",
    response={200: list[PersonItem], 429: Error},
    summary="查询居民（姓名、户编号或号码后 4 位；可查看完整号码的角色还可按完整身份号码、电话、号码后 5–6 位）",
)
def persons_search(request: HttpRequest, q: str = "") -> Any:
    """Bulk look-ups of personal data over an API leave a trail: every search is rate-limited and audited."""
    require(can_read_registry(request.user))
    try:
        found = services.person_search_run(actor=request.user, q=q, client_ip=client_ip(request), via="api")
    except services.SearchRateLimited as exc:
        return Status(429, {"detail": str(exc)})
    return [_item(p) for p in found.persons]


@router.get("/persons/{person_id}", response={200: PersonDetail, 404: Error}, summary="居民详情")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = access_person(request.user, person_id)
    services.person_view(actor=request.user, person=person, client_ip=client_ip(request), via="api")
    household = person.household
    return {
        **_item(person),
        # The number is masked here, so its birth-date digits are too: age only (unmask gives the rest).
        "birth_date": None,
        "division_code": household.division_id,
        "address": f"{division_full_name(household.division_id)} {household.grid_address}".strip(),
    }


@router.post(
    "/persons/{person_id}/unmask",
    response={200: Unmasked, 400: Error, 404: Error},
    summary="查看完整身份号码和电话（需填写事由）",
)
def person_unmask(request: HttpRequest, person_id: int, body: UnmaskIn) -> Any:
    require(can_unmask(request.user))
    person = access_person(request.user, person_id)
    try:
        return services.person_unmask(
            actor=request.user, person=person, reason=body.reason, client_ip=client_ip(request)
        )
    except services.ReasonRequired as exc:
        return Status(400, {"detail": str(exc)})


def _household(request: HttpRequest, household: Household) -> dict[str, Any]:
    services.household_view(actor=request.user, household=household, client_ip=client_ip(request), via="api")
    members = [_item(p) for p in selectors.household_members(household)]
    return {
        "id": household.pk,
        "household_no": household.household_no,
        "division_code": household.division_id,
        "address": f"{division_full_name(household.division_id)} {household.grid_address}".strip(),
        "members": members,
    }


@router.get("/households/{household_id}", response={200: HouseholdDetail, 404: Error}, summary="户详情")
def household_detail(request: HttpRequest, household_id: int) -> dict[str, Any]:
    return _household(request, access_household(request.user, household_id))


@router.get("/households/by-no/{household_no}", response={200: HouseholdDetail, 404: Error}, summary="按户编号查户详情")
def household_by_no(request: HttpRequest, household_no: str) -> dict[str, Any]:
    require(can_read_registry(request.user))
    return _household(request, access_household_by_no(request.user, household_no))
