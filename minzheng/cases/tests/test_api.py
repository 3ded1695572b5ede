"""`/api/v1/cases`: the shapes the issue fixes, refusals as 409 in Chinese, 404 outside the jurisdiction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.accounts.services import token_issue
from minzheng.testing import Cast, make_household

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _api(user: object) -> Client:
    token = token_issue(actor=None, user=user)
    return Client(headers={"Authorization": f"Bearer {token}"})


def _post(client: Client, url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    answer = client.post(url, json.dumps(body), content_type="application/json")
    return answer.status_code, answer.json()


def test_case_lifecycle_over_the_api(cast: Cast) -> None:
    make_household()
    town, village = _api(cast.town_officer), _api(cast.village_worker)
    received = (TODAY - dt.timedelta(days=10)).isoformat()
    body = {"case_type": "dibao", "household_no": "HQ-0001", "received_on": received, "authorisation_no": "SQ-7"}
    status, case = _post(town, "/api/v1/cases", body)
    assert status == 201, case
    assert set(case) >= {"case_no", "case_type", "status", "stage_due_on", "due_on"}
    assert case["status"] == "accepted"
    no = case["case_no"]
    survey = {"visited_on": received, "visitors": ["王村", "李镇"], "findings": "住房一套，无车"}
    status, moved = _post(
        village, f"/api/v1/cases/{no}/transitions", {"to": "investigated", "data": {"survey": survey}}
    )
    assert status == 200 and moved["status"] == "investigated"
    status, refused = _post(town, f"/api/v1/cases/{no}/transitions", {"to": "confirmed", "reason": "同意"})
    assert status == 409 and "不能转为「审核确认」" in refused["detail"]
    status, refused = _post(town, f"/api/v1/cases/{no}/transitions", {"to": "reviewed"})
    assert status == 409 and "须填写理由" in refused["detail"]
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    status, refused = _post(
        town, f"/api/v1/cases/{no}/transitions", {"to": "reviewed", "reason": "同意", "data": {"on": future}}
    )
    assert status == 409 and "晚于今天" in refused["detail"]
    status, moved = _post(town, f"/api/v1/cases/{no}/transitions", {"to": "reviewed", "reason": "同意"})
    assert status == 200 and moved["status"] == "reviewed"
    detail = town.get(f"/api/v1/cases/{no}").json()
    assert [h["to"] for h in detail["history"]] == ["accepted", "investigated", "reviewed"]
    assert {"from", "to", "by", "at", "reason"} <= set(detail["history"][-1])
    assert _api(cast.other_town_officer).get(f"/api/v1/cases/{no}").status_code == 404
    items = town.get("/api/v1/workitems?mine=1").json()
    assert items and items[0]["data"]["case_no"] == no


def test_open_outside_jurisdiction_or_unknown_type(cast: Cast) -> None:
    make_household()
    body = {"case_type": "dibao", "household_no": "HQ-0001", "received_on": TODAY.isoformat()}
    status, _ = _post(_api(cast.other_town_officer), "/api/v1/cases", body)
    assert status == 404
    status, answer = _post(_api(cast.town_officer), "/api/v1/cases", {**body, "case_type": "nope"})
    assert status == 422 and "未知的案件类型" in answer["detail"]
    status, answer = _post(_api(cast.caregiver), "/api/v1/cases", body)
    assert status == 404
