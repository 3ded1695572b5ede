"""The JSON API, driven over HTTP with real tokens: scoped, masked, audited, Chinese errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.accounts.services import LoginError, login_attempt, token_issue
from minzheng.audit.models import AuditEvent
from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import Cast, make_household

FULL_NUMBERS = ("330212197803154412", "330212198004226023", "330212201509103218", "13805741234", "13905745678")
NOT_FOUND = {"detail": "未找到，或不在您的管辖范围内"}


def api(user: User, **kwargs: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(actor=None, user=user)}"}, **kwargs)


def age(born: tuple[int, int, int]) -> int:
    today = timezone.localdate()
    return today.year - born[0] - ((today.month, today.day) < born[1:])


def assert_no_full_numbers(body: str) -> None:
    assert [n for n in FULL_NUMBERS if n in body] == []


@pytest.fixture
def family(cast: Cast) -> tuple[Household, list[Person]]:
    return make_household()


def test_token_required(cast: Cast) -> None:
    response = Client().get("/api/v1/persons?q=张")
    assert (response.status_code, response.json()) == (401, {"detail": "未提供有效的令牌"})
    assert response["WWW-Authenticate"] == "Bearer"
    response = Client(headers={"Authorization": "Bearer forged"}).get("/api/v1/me")
    assert (response.status_code, response.json()) == (401, {"detail": "未提供有效的令牌"})
    assert api(cast.town_officer).get("/api/v1/me").json() == {
        "username": "lizhen",
        "role": "town_officer",
        "role_label": "乡镇（街道）民政办",
        "jurisdiction": "330212100",
    }


def test_strangers_failed_logins_do_not_stop_the_token(cast: Cast) -> None:
    """An integration account's token is not a web login: strangers guessing its password cannot switch it off."""
    client = api(cast.village_worker)
    assert client.get("/api/v1/me").status_code == 200
    for _ in range(8):
        with pytest.raises(LoginError):
            login_attempt(request=RequestFactory().post("/"), username=cast.village_worker.username, password="错")
    assert client.get("/api/v1/me").status_code == 200


def test_search_masked_scoped_and_audited(cast: Cast, family: tuple[Household, list[Person]]) -> None:
    household, people = family
    response = api(cast.village_worker).get("/api/v1/persons", {"q": "张建国"}, REMOTE_ADDR="10.1.2.3")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == [
        {
            "id": people[0].pk,
            "name": "张建国",
            "sex": "男",
            "age": age((1978, 3, 15)),
            "id_number": "3302**********4412",
            "phone": "138****1234",
            "household_id": household.pk,
            "household_no": "HQ-0001",
            "relation": "户主",
            "tags": "",
        }
    ]
    assert_no_full_numbers(response.content.decode())
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert (event.actor_username, event.client_ip, event.data) == (
        "wangcun",
        "10.1.2.3",
        {"q": "张建国", "kind": "name", "rows": 1, "via": "api"},
    )
    by_number = api(cast.town_officer).get("/api/v1/persons", {"q": "330212198004226023"})
    assert [(p["name"], p["id_number"], p["phone"]) for p in by_number.json()] == [
        ("李秀英", "3302**********6023", "139****5678")
    ]
    assert_no_full_numbers(by_number.content.decode())
    assert api(cast.other_town_officer).get("/api/v1/persons", {"q": "张"}).json() == []
    assert api(cast.auditor).get("/api/v1/persons", {"q": "张"}).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).count() == 3


def _add_household(size: int) -> None:
    household = household_create(actor=None, household_no="HQ-0002", division_code="330212100201")
    for i in range(size):
        first17 = f"33021219900101{i:03d}"
        number = first17 + check_digit(first17)
        person_create(actor=None, household=household, name=f"张{i}", id_number=number, relation="子" if i else "户主")


def test_search_query_count_does_not_grow_with_results(
    cast: Cast, family: tuple[Household, list[Person]], django_assert_num_queries: Any
) -> None:
    _add_household(20)
    client = api(cast.town_officer)
    # token lookup, token last-used stamp, rate count, one indexed search, the audit row (3-4 with its hash chain)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/persons", {"q": "张建国"}).json()) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/persons", {"q": "张"}).json()) == 22
    assert len(one) == len(many) <= 8


def test_person_detail(cast: Cast, family: tuple[Household, list[Person]]) -> None:
    _, people = family
    response = api(cast.town_officer).get(f"/api/v1/persons/{people[1].pk}")
    body = response.json()
    assert (body["name"], body["sex"], body["age"], body["birth_date"], body["relation"], body["tags"]) == (
        "李秀英",
        "女",
        age((1980, 4, 22)),
        None,  # withheld while the number is masked
        "配偶",
        "残疾:肢体二级",
    )
    assert (body["id_number"], body["phone"], body["division_code"]) == (
        "3302**********6023",
        "139****5678",
        "330212100201",
    )
    assert body["address"] == "浙江省宁波市鄞州区瞻岐镇合一村 第一网格 3幢 1单元 201室"
    assert_no_full_numbers(response.content.decode())
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="person")
    assert [(e.actor_username, e.object_id, e.data) for e in views] == [("lizhen", str(people[1].pk), {"via": "api"})]
    for who in (cast.other_town_officer, cast.auditor):
        response = api(who).get(f"/api/v1/persons/{people[1].pk}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = api(cast.town_officer).get("/api/v1/persons/999999")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert views.count() == 1


UNMASK_REFUSED = {400: "请填写查看完整号码的事由", 422: "请求参数有误"}


def test_unmask(cast: Cast, family: tuple[Household, list[Person]]) -> None:
    _, people = family
    url = f"/api/v1/persons/{people[0].pk}/unmask"
    # A token client carries no CSRF cookie: the API must not ask for one.
    client = api(cast.county_approver, enforce_csrf_checks=True)
    # The schema requires a reason of 2+ characters (422 without one); spaces alone pass it and the service refuses.
    for blank, status in (({"reason": "  "}, 400), ({}, 422), ({"reason": "x"}, 422)):
        response = client.post(url, blank, content_type="application/json")
        assert (response.status_code, response.json()["detail"]) == (status, UNMASK_REFUSED[status])
    response = client.post(url, "事由", content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": "请求格式有误：请求体须为 JSON"})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()
    response = client.post(url, {"reason": "县级复核"}, content_type="application/json")
    assert response.json() == {"id_number": "330212197803154412", "phone": "13805741234", "birth_date": "1978-03-15"}
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK)
    assert (event.actor_username, event.object_id, event.reason) == ("chenxian", str(people[0].pk), "县级复核")
    for who in (cast.village_worker, cast.auditor, cast.other_town_officer):
        response = api(who).post(url, {"reason": "核实身份"}, content_type="application/json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).count() == 1


def test_household(cast: Cast, family: tuple[Household, list[Person]]) -> None:
    household, _ = family
    response = api(cast.hotline_operator).get("/api/v1/households/by-no/HQ-0001")
    body = response.json()
    assert (body["id"], body["household_no"], body["division_code"]) == (household.pk, "HQ-0001", "330212100201")
    assert [(m["name"], m["relation"], m["id_number"]) for m in body["members"]] == [
        ("张建国", "户主", "3302**********4412"),
        ("李秀英", "配偶", "3302**********6023"),
        ("张小明", "子", "3302**********3218"),
    ]
    assert_no_full_numbers(response.content.decode())
    assert api(cast.town_officer).get(f"/api/v1/households/{household.pk}").json()["household_no"] == "HQ-0001"
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="household")
    assert [(e.actor_username, e.data) for e in views.order_by("id")] == [
        ("rexian", {"via": "api"}),
        ("lizhen", {"via": "api"}),
    ]
    for url in (f"/api/v1/households/{household.pk}", "/api/v1/households/by-no/HQ-0001"):
        response = api(cast.other_town_officer).get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert views.count() == 2


def test_bad_path_parameter_answers_in_chinese(cast: Cast) -> None:
    response = api(cast.town_officer).get("/api/v1/persons/abc")
    assert (response.status_code, response.json()["detail"]) == (422, "请求参数有误")


def staff(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_openapi(cast: Cast) -> None:
    spec = staff(cast.auditor).get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "民政业务平台接口"
    assert {
        "/api/v1/me",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/unmask",
        "/api/v1/households/{household_id}",
        "/api/v1/households/by-no/{household_no}",
    } <= set(spec["paths"])
    assert spec["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_docs_page_needs_no_internet(cast: Cast) -> None:
    """Government intranets have no internet: the docs page loads Swagger UI from our own static files."""
    page = staff(cast.auditor).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


def test_schema_documents_the_common_answers_and_the_required_reason(cast: Cast) -> None:
    """Every status an operation can answer is in the description (schemathesis checks it by fuzzing)."""
    spec = api(cast.town_officer).get("/api/v1/openapi.json").json()
    unmask = spec["paths"]["/api/v1/persons/{person_id}/unmask"]["post"]
    assert {"200", "400", "401", "404", "422"} <= set(unmask["responses"])
    assert set(spec["paths"]["/api/v1/me"]["get"]["responses"]) == {"200", "401", "404"}
    body = unmask["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][body]["required"] == ["reason"]
