"""The 一键核对 panel, the 核对报告 page and its downloads: roles, jurisdiction, authorisation, audit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.testing import PASSWORD, Cast, make_household
from minzheng.verification.models import VerificationReport
from minzheng.verification.tests.test_household import HEAD, ingest_family


@pytest.fixture
def household(cast: Cast, settings: Any, tmp_path: Path) -> Any:
    settings.FEED_DIGEST_KEY = DIGEST_KEY.decode()
    ingest_family(Path(settings.FEEDS_DIR) / "store", tmp_path / "files")
    household, _ = make_household()
    return household


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def verify(client: Client, household: Any, ref: str = "SQ-2026-0042", **headers: str) -> Any:
    url = reverse("verification:household_verify", args=[household.pk])
    return client.post(url, {"authorisation_ref": ref, "as_of": "2026-12-01"}, **headers)


def test_panel_shows_the_button_to_verifying_roles_only(cast: Cast, household: Any) -> None:
    url = reverse("verification:household_panel", args=[household.pk])
    for user in (cast.verification_center, cast.town_officer, cast.county_approver):
        page = login(user).get(url)
        assert page.status_code == 200
        assert "一键核对" in page.content.decode() and "核对授权书编号" in page.content.decode()
    for user in (cast.village_worker, cast.hotline_operator):
        page = login(user).get(url)
        assert page.status_code == 200 and page.content == b""
    assert login(cast.other_town_officer).get(url).status_code == 404


def test_button_needs_an_authorisation_reference(cast: Cast, household: Any) -> None:
    client = login(cast.town_officer)
    answer = verify(client, household, ref="", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200  # htmx swaps the panel back in, with the reason
    assert "请填写核对授权书编号" in answer.content.decode()
    assert verify(client, household, ref="   ").status_code == 400
    assert not VerificationReport.objects.exists()
    assert not AuditEvent.objects.filter(object_type="verification_report").exists()


def test_one_click_issues_a_report_that_explains_itself(cast: Cast, household: Any) -> None:
    client = login(cast.verification_center)
    answer = verify(client, household, HTTP_HX_REQUEST="true")
    report = VerificationReport.objects.get()
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == reverse("verification:report", args=[report.pk])
    assert report.requested_by == cast.verification_center
    assert report.authorisation_ref == "SQ-2026-0042"
    assert report.report_no.startswith("HD-330212-") and report.report_no.endswith("-0001")
    created = AuditEvent.objects.get(object_type="verification_report", action=AuditEvent.Action.CREATE)
    assert created.actor == cast.verification_center and "SQ-2026-0042" in created.reason
    page = client.get(answer["HX-Redirect"]).content.decode()
    for text in (
        report.report_no,
        "何对",  # the requester
        "SQ-2026-0042",
        "公安车辆：名下小型轿车 浙B12345，车辆价值 85,000.00 元（数据时点 2026-12-01，第 3 行）",
        "源文件行号",
        "已死亡（2026-10-02，据民政殡葬、卫健死亡医学证明）",
        "1,844.45 元",  # per-capita income: 553334 fen / 3 members
        HEAD,
    ):
        assert text in page, text
    assert AuditEvent.objects.filter(object_type="verification_report", action=AuditEvent.Action.VIEW).count() == 1
    panel = client.get(reverse("verification:household_panel", args=[household.pk])).content.decode()
    assert report.report_no in panel


def test_reports_outside_the_jurisdiction_are_404(cast: Cast, household: Any) -> None:
    verify(login(cast.town_officer), household)
    report = VerificationReport.objects.get()
    outsider = login(cast.other_town_officer)
    assert outsider.get(reverse("verification:report", args=[report.pk])).status_code == 404
    download = reverse("verification:report_download", args=[report.pk, "pdf"])
    assert outsider.get(download).status_code == 404
    assert verify(outsider, household).status_code == 404
    assert login(cast.village_worker).get(reverse("verification:report", args=[report.pk])).status_code == 404
    assert login(cast.county_approver).get(reverse("verification:report", args=[report.pk])).status_code == 200
    assert VerificationReport.objects.count() == 1


def test_pdf_and_xlsx_downloads_are_audited_exports(cast: Cast, household: Any) -> None:
    client = login(cast.county_approver)
    verify(client, household)
    report = VerificationReport.objects.get()
    pdf = client.get(reverse("verification:report_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content  # the built-in CID font, no font file shipped
    xlsx = client.get(reverse("verification:report_download", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["核对报告", "家庭成员", "核对发现"]
    assert wb["核对报告"]["B3"].value == report.report_no
    members = wb["家庭成员"]
    assert members["C2"].value == HEAD and members["C2"].data_type == "s"  # identity numbers as text
    texts = [row[6] for row in wb["核对发现"].iter_rows(min_row=2, values_only=True)]
    assert any(t.startswith("公安车辆：名下小型轿车 浙B12345") for t in texts)
    exports = AuditEvent.objects.filter(object_type="verification_report", action=AuditEvent.Action.EXPORT)
    assert sorted(e.data["format"] for e in exports) == ["pdf", "xlsx"]
    assert client.get(reverse("verification:report_download", args=[report.pk, "doc"])).status_code == 404


# --- issue 9 and 10: the proposed date, impossible dates, the phone layout ------------------------


def test_panel_proposes_the_latest_snapshot_date(cast: Cast, household: Any, monkeypatch: Any) -> None:
    """Item 9: 一键核对 opens on the newest 数据时点 held (2026-12-01), not today and not empty."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 12, 20))
    url = reverse("verification:household_panel", args=[household.pk])
    html = login(cast.town_officer).get(url).content.decode()
    assert 'name="as_of" value="2026-12-01"' in html
    assert "已导入部门数据的最新数据时点为 2026-12-01" in html
    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 11, 30))  # before any delivery
    html = login(cast.town_officer).get(url).content.decode()
    assert 'name="as_of" value="2026-11-30"' in html and "尚未导入任何部门数据" in html


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_implausible_dates_are_refused_in_chinese(cast: Cast, household: Any, day: str) -> None:
    """Item 10: as_of=0001-01-01 overflowed the six-month window (500); now a Chinese reason, nothing stored."""
    url = reverse("verification:household_verify", args=[household.pk])
    answer = login(cast.town_officer).post(url, {"authorisation_ref": "SQ-1", "as_of": day})
    assert answer.status_code == 400
    assert f"数据时点“{day}”超出可处理的范围（1900-01-01 至 2099-12-31）" in answer.content.decode()
    assert not VerificationReport.objects.exists()


def test_service_refuses_implausible_dates_for_every_caller(cast: Cast, household: Any) -> None:
    """Item 10: the CLI and jobs call the service directly; it checks the date too."""
    import datetime as dt

    from minzheng.verification import services, services_matching

    with pytest.raises(services.VerificationError, match="超出可处理的范围"):
        services.household_check(actor=None, household=household, as_of=dt.date(1, 1, 1))
    with pytest.raises(services_matching.MatchingError, match="超出可处理的范围"):
        services_matching.matching_run(actor=None, feed_id="death", as_of=dt.date(1, 1, 1))
    with pytest.raises(ValueError, match="超出可处理的范围"):
        services.batch_run_start(actor=None, as_of=dt.date(9999, 12, 31))


def test_cli_refuses_implausible_dates_without_a_traceback(cast: Cast, household: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from minzheng import cli_extra  # noqa: F401 - registers the commands on the app
    from minzheng.cli import app

    delivered = tmp_path / "车辆.csv"
    delivered.write_text("公民身份号码,姓名\n", encoding="utf-8")
    for args in (
        ["feeds", "ingest", "vehicle", str(delivered), "--as-of", "0001-01-01"],
        ["verify", "household", "HQ-0001", "--as-of", "0001-01-01"],
        ["verify", "batch", "--as-of", "0001-01-01"],
        ["feeds", "match", "death", "--as-of", "0001-01-01"],
        ["feeds", "restore", "death", "--as-of", "0001-01-01"],
    ):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 1, args
        assert "超出可处理的范围" in out.output and "Traceback" not in out.output, args


def test_report_tables_scroll_inside_their_own_box(cast: Cast, household: Any) -> None:
    """Item 9: on a phone the findings and totals scroll sideways inside the card, not the whole page."""
    client = login(cast.town_officer)
    report_url = verify(client, household)["Location"]
    html = client.get(report_url).content.decode()
    assert html.count('<div class="table-scroll">') >= 2  # totals and every member's findings
    assert 'class="mono id-number"' in html  # the number may break onto its own line
