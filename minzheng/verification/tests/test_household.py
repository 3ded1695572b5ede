"""One household end to end: real feed files → the feed store (ingestion) → DuckDB lookups → evaluation.

Two data sets: hand-written deliveries for the test family (exact values, messy cells as departments
send them), and the demo generator's feeds for a small county (deaths, digests, row numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from minzheng.demo.feedrows import DIGEST_KEY, digest
from minzheng.demo.feeds import HEADERS, feed_path, write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.verification.engine import household as engine
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore

AS_OF = dt.date(2026, 12, 1)
HEAD = "330212197803154412"  # 张建国 (minzheng.testing.make_household)
WIFE = "330212198004226023"  # 李秀英
SON = "330212201509103218"  # 张小明

# The family's deliveries, as the departments write them (header = row 1 of the file).
FAMILY_FEEDS: dict[str, list[list[str]]] = {
    "vehicle": [
        ["330212199001011237", "王某", "浙B00001", "小型轿车", "2019-01-01", "1000.00"],
        # full-width digits and spaces in the number: normalised, still the head's car
        ["３３０２１２１９７８０３１５４４１２", "张建国", "浙B12345", "小型轿车", "2020-05-01", "85000.00"],
    ],
    "social_insurance": [
        [HEAD, "张建国", "宁波甲厂", "4500.00", "202606"],
        [HEAD, "张建国", "宁波甲厂", "4500.00", "202607"],
        [HEAD, "张建国", "宁波甲厂", "4600.01", "202610"],
    ],
    "tax": [
        [WIFE, "李秀英", "劳务报酬所得", "800.00", "2026-09"],
        [WIFE, "李秀英", "劳务报酬所得", "1200.00", "2026-11"],
    ],
    "enterprise": [
        [HEAD, "张建国", "91330212MA2AAAAA0X", "宁波鑫隆商贸有限公司", "投资人", "12.5", "存续"],
        [HEAD, "张建国", "91330212MA2BBBBB0X", "宁波旺达科技有限公司", "监事", "500", "注销"],
    ],
    "death": [[WIFE, "李秀英", "2026-10-03"]],
    "cremation": [[WIFE, "李秀英", "2026-10-02", "2026-10-05"]],
    "securities": [[digest(SON), "张小明", "1234.56", "2026-11-30"]],
    "student": [[SON, "张小明", "瞻岐镇中心小学", "小学", "在校"]],
}


def write_family_feeds(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for feed_id, rows in FAMILY_FEEDS.items():
        path = folder / f"{feed_id}_{AS_OF.isoformat()}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS[feed_id])
            writer.writerows(rows)
        out[feed_id] = path
    return out


def ingest_family(store_dir: Path, files_dir: Path) -> FeedStore:
    store = FeedStore(store_dir)
    for feed_id, path in write_family_feeds(files_dir).items():
        result = ingest_file(feed_id, path, AS_OF, store)
        assert result.rejected == 0, (feed_id, result)
    return store


def family() -> pa.Table:
    return pa.table(
        {
            "id_number": [HEAD, WIFE, SON],
            "name": ["张建国", "李秀英", "张小明"],
            "household_no": ["HQ-0001"] * 3,
        }
    )


@pytest.fixture(scope="module")
def family_store(tmp_path_factory: pytest.TempPathFactory) -> FeedStore:
    root = tmp_path_factory.mktemp("family")
    return ingest_family(root / "store", root / "files")


def test_family_verified_from_the_store(family_store: FeedStore) -> None:
    result = engine.verify(family_store, family(), AS_OF, digest_key=DIGEST_KEY)
    (shaped,) = engine.to_json(result, AS_OF)
    head, wife, son = shaped["members"]
    assert head["flags"] == ["vehicle", "enterprise", "wage"]
    assert head["income_monthly_fen"]["wage"] == 453334  # (450000 + 450000 + 460001) / 3, half up
    assert head["vehicle_value_fen"] == 8_500_000
    assert head["enterprise_capital_fen"] == 12_500_000  # 12.5 万元; the 注销 company does not count
    car = next(f for f in head["findings"] if f["feed"] == "vehicle")
    assert car["text"] == "公安车辆：名下小型轿车 浙B12345，车辆价值 85,000.00 元（数据时点 2026-12-01，第 3 行）"
    assert car["evidence"]["row"] == 3 and car["row"] == 3
    assert wife["flags"] == ["deceased"]
    assert wife["died_on"] == "2026-10-02"
    assert wife["death_sources"] == ["cremation", "death"]
    assert wife["income_monthly_fen"]["other"] == 100000
    assert son["flags"] == ["student"]
    assert son["securities_fen"] == 123456
    assert any("按身份号码摘要匹配" in f["text"] for f in son["findings"])
    totals = shaped["totals"]
    assert totals["members"] == 3
    assert totals["income_monthly_fen"] == 553334
    assert totals["per_capita_income_monthly_fen"] == 184445  # 184444.67 rounded half up
    assert totals["flags"] == ["deceased", "vehicle", "enterprise", "student", "wage"]


def test_without_the_digest_key_the_digest_row_finds_nobody(family_store: FeedStore) -> None:
    result = engine.verify(family_store, family(), AS_OF)
    son = result.persons.to_pylist()[2]
    assert son["securities_fen"] == 0


def test_an_earlier_as_of_does_not_see_later_deliveries(family_store: FeedStore) -> None:
    result = engine.verify(family_store, family(), dt.date(2026, 11, 30), digest_key=DIGEST_KEY)
    assert result.findings.num_rows == 0
    assert [p["flags"] for p in result.persons.to_pylist()] == [[], [], []]


# --- the demo county's feeds -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_county(tmp_path_factory: pytest.TempPathFactory) -> tuple[FeedStore, dict[str, list[dict[str, str]]], Path]:
    root = tmp_path_factory.mktemp("demo")
    residents = root / "residents.csv"
    write_residents_file(residents, persons=600, seed=5)
    write_feeds(residents, root / "feeds", as_of=AS_OF, seed=5)
    store = FeedStore(root / "store")
    for feed_id in HEADERS:
        ingest_file(feed_id, feed_path(root / "feeds", feed_id, AS_OF), AS_OF, store)
    households: dict[str, list[dict[str, str]]] = {}
    with residents.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            households.setdefault(row["户编号"], []).append(row)
    return store, households, root / "feeds"


def _members_of(households: dict[str, list[dict[str, str]]], id_number: str) -> pa.Table:
    number, rows = next((k, v) for k, v in households.items() if any(r["公民身份号码"] == id_number for r in v))
    return pa.table(
        {
            "id_number": [r["公民身份号码"] for r in rows],
            "name": [r["姓名"] for r in rows],
            "household_no": [number] * len(rows),
        }
    )


def _csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(enumerate(csv.DictReader(fh), start=2))  # the header is row 1


def test_demo_deaths_are_found_with_their_source_row(demo_county: Any) -> None:
    store, households, feeds = demo_county
    deaths = [(n, r) for n, r in _csv_rows(feed_path(feeds, "death", AS_OF)) if len(r["公民身份号码"]) == 18]
    assert deaths, "the demo county should have deaths"
    line, row = deaths[0]
    number = row["公民身份号码"].upper()
    result = engine.verify(store, _members_of(households, number), AS_OF, digest_key=DIGEST_KEY)
    person = next(p for p in result.persons.to_pylist() if p["id_number"] == number)
    assert "deceased" in person["flags"]
    assert person["died_on"] <= dt.date.fromisoformat(row["死亡日期"])
    death = next(f for f in result.findings.to_pylist() if f["feed"] == "death" and f["id_number"] == number)
    assert death["_row"] == line
    assert f"第 {line} 行" in death["text"]
    assert json.loads(death["evidence"])["died_on"] == row["死亡日期"]


def test_demo_securities_delivered_as_digests_reach_their_owner(demo_county: Any) -> None:
    store, households, feeds = demo_county
    owners = {digest(r["公民身份号码"]): r["公民身份号码"] for rows in households.values() for r in rows}
    line, row = _csv_rows(feed_path(feeds, "securities", AS_OF))[0]
    number = owners[row["身份号码摘要"]]
    result = engine.verify(store, _members_of(households, number), AS_OF, digest_key=DIGEST_KEY)
    person = next(p for p in result.persons.to_pylist() if p["id_number"] == number)
    yuan, fen = row["资产市值"].split(".")
    assert person["securities_fen"] == int(yuan) * 100 + int(fen)
    finding = next(f for f in result.findings.to_pylist() if f["feed"] == "securities")
    assert finding["_row"] == line


def test_demo_household_income_matches_the_feed_files(demo_county: Any) -> None:
    """Recompute one person's social-insurance wage from the CSV by hand and compare to the fen."""
    store, households, feeds = demo_county
    by_person: dict[str, dict[str, int]] = {}
    for _, r in _csv_rows(feed_path(feeds, "social_insurance", AS_OF)):
        if len(r["公民身份号码"]) == 18 and r["公民身份号码"].isdigit():
            yuan, fen = r["缴费基数"].split(".")
            month = by_person.setdefault(r["公民身份号码"], {})
            month[r["缴费年月"]] = month.get(r["缴费年月"], 0) + int(yuan) * 100 + int(fen)
    number, months = next(iter(sorted(by_person.items())))
    expected = (2 * sum(months.values()) + len(months)) // (2 * len(months))
    result = engine.verify(store, _members_of(households, number), AS_OF, digest_key=DIGEST_KEY)
    person = next(p for p in result.persons.to_pylist() if p["id_number"] == number)
    assert person["income_wage_fen"] == expected


# --- through the app: service and CLI ----------------------------------------------------------------


@pytest.fixture
def family_in_app(county: None, settings: Any, tmp_path: Path) -> Any:
    from minzheng.testing import make_household

    household, _ = make_household()
    settings.FEED_DIGEST_KEY = DIGEST_KEY.decode()
    ingest_family(Path(settings.FEEDS_DIR) / "store", tmp_path / "files")
    return household


def test_cli_json_has_the_issue_shape(family_in_app: Any) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `verify household`
    from minzheng.audit.models import AuditEvent
    from minzheng.cli import app
    from minzheng.verification.models import VerificationReport

    out = CliRunner().invoke(app, ["verify", "household", "HQ-0001", "--as-of", "2026-12-01", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["household"] == "HQ-0001" and data["as_of"] == "2026-12-01"
    member = data["members"][0]
    assert {"id_number", "name", "flags", "income_monthly_fen", "findings"} <= member.keys()
    assert {"wage", "pension", "unemployment", "other"} <= member["income_monthly_fen"].keys()
    assert {"feed", "text", "evidence"} <= member["findings"][0].keys()
    totals_keys = {
        "members",
        "income_monthly_fen",
        "per_capita_income_monthly_fen",
        "deposits_fen",
        "securities_fen",
        "vehicle_count",
        "vehicle_value_fen",
        "real_estate_count",
        "real_estate_area_m2",
        "enterprise_capital_fen",
    }
    assert totals_keys <= data["totals"].keys()
    assert data["totals"]["per_capita_income_monthly_fen"] == 184445
    assert [m["name"] for m in data["members"]] == ["张建国", "李秀英", "张小明"]
    assert data["members"][2]["securities_fen"] == 123456  # the key from settings reached the lookup
    assert not VerificationReport.objects.exists()  # no 授权书, no report
    assert AuditEvent.objects.filter(object_type="household", action="search").count() == 1


def test_cli_with_authorisation_issues_a_report_and_prints_a_table(family_in_app: Any) -> None:
    from minzheng import cli_extra  # noqa: F401
    from minzheng.audit.models import AuditEvent
    from minzheng.cli import app
    from minzheng.verification.models import VerificationReport

    args = ["verify", "household", "HQ-0001", "--as-of", "2026-12-01", "--authorisation", "SQ-2026-0042"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    report = VerificationReport.objects.get()
    assert report.report_no.startswith("HD-330212-") and report.report_no.endswith("-0001")
    assert report.authorisation_ref == "SQ-2026-0042"
    assert report.requested_by is None and report.requested_by_name == "系统（命令行）"
    assert "公安车辆：名下小型轿车 浙B12345" in out.output
    assert report.report_no in out.output
    assert AuditEvent.objects.filter(object_type="verification_report", object_id=str(report.pk)).count() == 1
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0
    assert VerificationReport.objects.order_by("pk").last().report_no.endswith("-0002")


def test_cli_refuses_unknown_household_and_blank_authorisation(family_in_app: Any) -> None:
    from minzheng import cli_extra  # noqa: F401
    from minzheng.cli import app

    out = CliRunner().invoke(app, ["verify", "household", "NO-SUCH", "--as-of", "2026-12-01"])
    assert out.exit_code == 1 and "户编号“NO-SUCH”不存在" in out.output
    out = CliRunner().invoke(app, ["verify", "household", "HQ-0001", "--as-of", "2026-12-01", "--authorisation", " "])
    assert out.exit_code == 1 and "核对授权书编号" in out.output
    out = CliRunner().invoke(app, ["verify", "household", "HQ-0001", "--as-of", "2026-13-01"])
    assert out.exit_code == 1 and "不是 YYYY-MM-DD" in out.output


def test_confirmed_matches_from_the_review_queue_reach_the_household(family_in_app: Any, tmp_path: Path) -> None:
    """A payroll row without an identity number, confirmed by a 核对中心 user, counts for 李秀英."""
    from django.conf import settings

    from minzheng.registry.models import Person
    from minzheng.verification import services
    from minzheng.verification.models import MatchCandidate

    path = tmp_path / "public_payroll_2026-12-01.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([HEADERS["public_payroll"], ["", "李秀英", "鄞州区教育局", "事业编制人员"]])
    ingest_file("public_payroll", path, AS_OF, FeedStore(Path(settings.FEEDS_DIR) / "store"))
    wife = Person.objects.get(id_number=WIFE)
    candidate = MatchCandidate.objects.create(
        feed_id="public_payroll",
        as_of=AS_OF,
        row=2,
        row_name="李秀英",
        person=wife,
        division_code=wife.division_code,
        match_weight=12.34,
        match_probability=0.999,
    )
    before = services.household_check(actor=None, household=family_in_app, as_of=AS_OF)
    assert "public_payroll" not in before["members"][1]["flags"]  # pending: not acted on
    MatchCandidate.objects.filter(pk=candidate.pk).update(status=MatchCandidate.Status.CONFIRMED)
    after = services.household_check(actor=None, household=family_in_app, as_of=AS_OF)
    wife_result = after["members"][1]
    assert "public_payroll" in wife_result["flags"]
    payroll = next(f for f in wife_result["findings"] if f["feed"] == "public_payroll")
    assert payroll["text"] == (
        "财政供养人员：鄞州区教育局 事业编制人员（数据时点 2026-12-01，第 2 行；经人工确认匹配（权重 12.3））"
    )
    assert payroll["evidence"]["match"] == "confirmed"
