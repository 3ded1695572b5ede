"""Issue 9 on the rules pages: items 9 (labels, pickers, no engine, honest explanations, hidden
non-applicable policies), 10 (scoped run figures, no server path, wild dates) and 3 (worklist reads audited)."""

from __future__ import annotations

from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.registry.models import Household
from minzheng.rules.tests.helpers_r2 import run_batch, with_car_fixture, world_fixture  # noqa: F401
from minzheng.testing import Cast


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_panel_says_screening_and_hides_policies_that_cannot_apply(with_car: dict[str, Household], cast: Cast) -> None:
    """Before: "最低生活保障：符合"; 孤儿 checks listed for adults among 60-odd non-qualifying policies."""
    poor = with_car["poor"]
    html = client_for(cast.town_officer).get(f"/rules/households/{poor.pk}/panel/?as_of=2026-07-01").content.decode()
    assert "可能符合（预判）" in html and "：符合，" not in html and "：符合<" not in html
    assert "入户调查" in html and "授权核对" in html
    assert "孤儿基本生活费" not in html  # nobody in this household is a child without parents
    assert 'id="eligibility-hidden"' in html and "项政策因年龄、身份或本地未开展而不适用" in html
    assert "0.00 元，等于 0.00 元" not in html and "高于 1 级" not in html


def test_panel_with_a_wild_date_falls_back_to_today(with_car: dict[str, Household], cast: Cast) -> None:
    """Before: as_of=0001-01-01 reached the engine (date arithmetic overflow, 500)."""
    poor = with_car["poor"]
    response = client_for(cast.town_officer).get(f"/rules/households/{poor.pk}/panel/?as_of=0001-01-01")
    assert response.status_code == 200 and "0001-01-01" not in response.content.decode()


def test_param_key_is_picked_by_chinese_label(with_car: dict[str, Household], cast: Cast) -> None:
    html = client_for(cast.sysadmin).get("/rules/params/").content.decode()
    assert '<select name="key"' in html and "最低生活保障标准（dibao.standard）" in html
    assert 'placeholder="如 dibao.standard"' not in html
    whatif = client_for(cast.county_approver).get("/rules/whatif/").content.decode()
    assert '<select name="key"' in whatif


def test_worklist_policy_filter_by_name_and_reads_audited(with_car: dict[str, Household], cast: Cast) -> None:
    run_batch()
    client = client_for(cast.town_officer)
    html = client.get("/rules/worklist/").content.decode()
    assert '<option value="dibao">最低生活保障</option>' in html and 'placeholder="如 dibao"' not in html
    assert "预判" in html
    before = AuditEvent.objects.filter(object_type="eligibility_worklist", action="view").count()
    client.get("/rules/worklist/?policy=dibao&kind=missing")
    event = AuditEvent.objects.filter(object_type="eligibility_worklist", action="view").latest("seq")
    assert AuditEvent.objects.filter(object_type="eligibility_worklist", action="view").count() == before + 1
    assert event.actor_username == cast.town_officer.username and event.data["households"] == ["HQ-001"]


def test_run_page_scoped_to_town_and_without_server_path(with_car: dict[str, Household], cast: Cast) -> None:
    """Before: a town user saw the county run's household count, the county summary and DATA_DIR."""
    from minzheng.accounts.services import user_create
    from minzheng.testing import PASSWORD, TOWN_A

    town_user = user_create(
        actor=None,
        username="zhenguan",
        role="sysadmin",
        jurisdiction=TOWN_A,
        password=PASSWORD,
        display_name="镇审",
    )
    run = run_batch()  # the whole county: 3 households, 2 in town A
    town = client_for(town_user).get(f"/rules/runs/{run.pk}/").content.decode()
    assert run.output_dir not in town and "decisions.parquet" not in town
    assert "<dt>户数</dt><dd>2</dd>" in town and "以下只列本辖区" in town
    assert "按县、按政策汇总" not in town
    county = client_for(cast.county_approver).get(f"/rules/runs/{run.pk}/").content.decode()
    assert "<dt>户数</dt><dd>3</dd>" in county and "按县、按政策汇总" in county and run.output_dir not in county
    runs = client_for(cast.county_approver).get("/rules/runs/").content.decode()
    assert "引擎" not in runs and "polars" not in runs


def test_typed_dates_out_of_range_are_refused_in_chinese(with_car: dict[str, Household], cast: Cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Item 10: `as_of=0001-01-01` was a 500; every date the rules pages and files take goes through parse_day."""
    from minzheng.rules.paramfile import ParamFileError, parse_file

    client = client_for(cast.county_approver)
    runs = client.post("/rules/runs/", {"as_of": "0001-01-01", "region_code": ""})
    assert runs.status_code == 400 and "判定日期“0001-01-01”超出可处理的范围" in runs.content.decode()
    whatif = client.post(
        "/rules/whatif/",
        {
            "key": "dibao.standard",
            "region_code": "330212",
            "from_date": "2026-01-01",
            "scale": "1.05",
            "as_of": "0001-01-01",
        },
    )
    assert whatif.status_code == 400 and "测算日期“0001-01-01”超出可处理的范围" in whatif.content.decode()
    path = tmp_path / "p.yaml"
    path.write_text(
        "dibao.standard:\n  unit: 元/人/月\n  values:\n"
        "    - {region: '330212', from: '0001-01-01', value: 1, reference: x}\n",
        encoding="utf-8",
    )
    try:
        parse_file(path)
    except ParamFileError as exc:
        assert "超出可处理的范围" in str(exc)
    else:
        raise AssertionError("a year-1 date was accepted")


def test_worklist_export_says_screening(with_car: dict[str, Household], cast: Cast) -> None:
    import io

    import openpyxl

    run_batch()
    response = client_for(cast.town_officer).get("/rules/worklist/export/?kind=missing")
    assert "%E9%A2%84%E5%88%A4" in response["Content-Disposition"] or "预判" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.active
    assert sheet.title == "清单（预判）"
    rows = list(sheet.iter_rows(values_only=True))
    assert all("预判" in str(r[7]) for r in rows[1:]) and len(rows) > 1
