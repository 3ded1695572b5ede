"""The parameter admin page: read by caseworkers, changed by one administrator and approved by another."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.rules.models import Parameter, ParameterChange
from minzheng.rules.selectors import param_resolve
from minzheng.rules.services import params_import
from minzheng.testing import Cast

PARAMS = """\
dibao.standard:
  description: 最低生活保障标准
  unit: 元/人/月
  values:
    - {region: "330212", from: 2022-07-01, value: 1181, reference: "鄞州区 2022"}
"""


@pytest.fixture
def imported(cast: Cast, tmp_path: Path) -> Cast:
    path = tmp_path / "p.yaml"
    path.write_text(PARAMS, encoding="utf-8")
    params_import(actor=None, path=path)
    return cast


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_page_roles(imported: Cast) -> None:
    page = client_for(imported.town_officer).get("/rules/params/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1181" in html and "鄞州区 2022" in html and "dibao.edge_multiple" in html  # value + key help
    assert "提出调整" not in html  # read-only for caseworkers
    assert client_for(imported.provider).get("/rules/params/").status_code == 404
    assert client_for(imported.town_officer).post("/rules/params/propose/", {}).status_code == 404
    assert "提出调整" in client_for(imported.county_approver).get("/rules/params/").content.decode()


def test_propose_then_other_person_approves(imported: Cast) -> None:
    maker, checker = client_for(imported.county_approver), client_for(imported.sysadmin)
    form = {
        "key": "dibao.standard",
        "region_code": "330212",
        "effective_from": "2023-07-01",
        "value": "1240",
        "unit": "",
        "reference": "甬民发〔2023〕1号",
        "reason": "年度调整",
    }
    response = maker.post("/rules/params/propose/", form)
    assert response.status_code == 302
    change = ParameterChange.objects.get()
    page = maker.get("/rules/params/").content.decode()
    assert "须由他人审核" in page  # the maker sees no approve button on their own change
    maker.post(f"/rules/params/changes/{change.pk}/decide/", {"decision": "approve"})
    assert ParameterChange.objects.get().status == "pending"  # refused: same person
    assert not Parameter.objects.filter(value="1240").exists()
    checker.post(f"/rules/params/changes/{change.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert ParameterChange.objects.get().status == "approved"
    import datetime as dt

    assert str(param_resolve("dibao.standard", "330212100201", dt.date(2023, 8, 1)).value) == "1240"  # type: ignore[union-attr]
    summaries = list(
        AuditEvent.objects.filter(object_type="parameter_change")
        .exclude(action="transition")  # the workflow kernel's typed events, besides these two
        .order_by("pk")
        .values_list("actor_username", flat=True)
    )
    assert summaries == [imported.county_approver.username, imported.sysadmin.username]


def test_bad_proposal_names_the_field(imported: Cast) -> None:
    response = client_for(imported.county_approver).post(
        "/rules/params/propose/",
        {"key": "Dibao", "region_code": "3", "effective_from": "2023-07-01", "value": "x", "reference": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    # Issue 9 item 9: the key is picked from a list now (was typed: "参数键应为小写英文加点").
    assert "参数“Dibao”不在参数列表中" in html and "区划代码应为" in html
    assert ParameterChange.objects.count() == 0
