from __future__ import annotations

import pytest
from django.test import Client

from minzheng.accounts.services import token_issue
from minzheng.audit.models import AuditEvent
from minzheng.testing import Cast, make_household


def api(user: object) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(actor=None, user=user)}"})  # type: ignore[arg-type]


@pytest.fixture
def family(cast: Cast) -> tuple:
    return make_household()


def test_token_required(cast: Cast) -> None:
    assert Client().get("/api/v1/persons?q=张").json() == {"detail": "未提供有效的令牌"}
    response = Client(headers={"Authorization": "Bearer forged"}).get("/api/v1/me")
    assert response.status_code == 401
    me = api(cast.town_officer).get("/api/v1/me").json()
    assert me == {
        "username": "lizhen",
        "role": "town_officer",
        "role_label": "乡镇（街道）民政办",
        "jurisdiction": "330212100",
    }


def test_search_masked_scoped_and_audited(cast: Cast, family: tuple, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = api(cast.village_worker)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/persons", {"q": "张建国"})
    body = response.content.decode()
    assert response.json()[0]["id_number"] == "3302**********4412"
    assert response.json()[0]["phone"] == "138****1234"
    assert "330212197803154412" not in body and "13805741234" not in body
    assert AuditEvent.objects.get(action=AuditEvent.Action.SEARCH).data == {"q": "张建国", "rows": 1, "via": "api"}
    assert api(cast.other_town_officer).get("/api/v1/persons", {"q": "张"}).json() == []


def test_person_detail(cast: Cast, family: tuple) -> None:
    _, people = family
    body = api(cast.town_officer).get(f"/api/v1/persons/{people[1].pk}").json()
    assert (body["name"], body["sex"], body["birth_date"], body["relation"], body["tags"]) == (
        "李秀英",
        "女",
        "1980-04-22",
        "配偶",
        "残疾:肢体二级",
    )
    assert body["address"] == "浙江省宁波市鄞州区瞻岐镇合一村 第一网格 3幢 1单元 201室"
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="person")
    assert [(e.actor_username, e.data) for e in views] == [("lizhen", {"via": "api"})]
    for who in (cast.other_town_officer, cast.auditor):
        response = api(who).get(f"/api/v1/persons/{people[1].pk}")
        assert (response.status_code, response.json()) == (404, {"detail": "未找到，或不在您的管辖范围内"})
    assert api(cast.town_officer).get("/api/v1/persons/999999").status_code == 404
    assert views.count() == 1


def test_unmask(cast: Cast, family: tuple) -> None:
    _, people = family
    url = f"/api/v1/persons/{people[0].pk}/unmask"
    client = api(cast.county_approver)
    response = client.post(url, {"reason": " "}, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": "请填写查看完整号码的事由"})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()
    response = client.post(url, {"reason": "县级复核"}, content_type="application/json")
    assert response.json() == {"id_number": "330212197803154412", "phone": "13805741234"}
    assert AuditEvent.objects.get(action=AuditEvent.Action.UNMASK).reason == "县级复核"
    assert api(cast.village_worker).post(url, {"reason": "x"}, content_type="application/json").status_code == 404


def test_household(cast: Cast, family: tuple) -> None:
    household, _ = family
    body = api(cast.hotline_operator).get("/api/v1/households/by-no/HQ-0001").json()
    assert [m["name"] for m in body["members"]] == ["张建国", "李秀英", "张小明"]
    assert {m["id_number"][:4] + m["id_number"][-4:] for m in body["members"]} == {"33024412", "33026023", "33023218"}
    assert api(cast.town_officer).get(f"/api/v1/households/{household.pk}").json()["household_no"] == "HQ-0001"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="household").count() == 2
    assert api(cast.other_town_officer).get(f"/api/v1/households/{household.pk}").status_code == 404


def test_openapi(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/households/{household_id}",
        "/api/v1/persons/{person_id}/unmask",
        "/api/v1/households/by-no/{household_no}",
    } <= set(spec["paths"])
