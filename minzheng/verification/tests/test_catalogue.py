"""The feed catalogue: every feed of DATA_CONTRACTS §2, declared as data, and a new feed is only a definition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from minzheng.demo.feeds import HEADERS
from minzheng.verification.engine.catalogue import (
    DIGEST_HEADER,
    FEEDS,
    AsOf,
    Column,
    Feed,
    Kind,
    feed_get,
    fen_text,
    person_id,
    person_name,
)
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.tests.feeds_fixtures import ID_A, ID_B, write_csv

# The contract's feed-specific columns (docs/notes/verification-contract.md), feed by feed.
CONTRACT_COLUMNS = {
    "hukou": {"household_ref", "relation", "division_code", "status", "cancelled_on"},
    "vehicle": {"plate", "vehicle_type", "registered_on", "value_fen"},
    "cremation": {"died_on", "cremated_on"},
    "death": {"died_on"},
    "marriage": {"spouse_id_number", "spouse_id_raw", "kind", "registered_on"},
    "social_insurance": {"employer", "base_fen", "period"},
    "pension": {"scheme", "amount_fen", "period"},
    "unemployment": {"amount_fen", "period"},
    "real_estate": {"unit_no", "location", "area_m2", "use", "registered_on"},
    "enterprise": {"uscc", "company", "role", "capital_fen", "reg_status"},
    "tax": {"item", "income_fen", "period"},
    "housing_fund": {"monthly_fen", "period", "balance_fen"},
    "public_payroll": {"employer", "category"},
    "deposit": {"institution", "balance_fen", "queried_on"},
    "securities": {"market_value_fen", "queried_on"},
    "medical": {"settled_on", "total_fen", "fund_fen", "self_fen"},
    "disability": {"category", "grade"},
    "student": {"school", "stage", "status"},
    "prison": {"admitted_on", "release_on"},
}
COMMON = {"_row": "int64", "id_number": "string", "id_raw": "string", "id_digest": "string", "name": "string"}


def test_every_contract_feed_is_defined_with_its_headers() -> None:
    assert set(FEEDS) == set(HEADERS) == set(CONTRACT_COLUMNS)
    for feed_id, headers in HEADERS.items():
        feed = FEEDS[feed_id]
        accepted = {h for c in feed.columns for h in (*c.headers, *c.digest_headers)}
        assert set(headers) <= accepted, feed_id  # the demo writes the contract's exact headers


def test_snapshot_columns_follow_the_contract() -> None:
    for feed_id, specific in CONTRACT_COLUMNS.items():
        columns = dict(FEEDS[feed_id].output_columns())
        assert {k: columns[k] for k in COMMON} == COMMON, feed_id
        assert specific <= set(columns), feed_id
        for name, arrow in columns.items():
            if name.endswith("_fen"):
                assert arrow == "int64", name  # money is integer fen
            if name.endswith("_on") or name == "period":
                assert arrow == "date32", name
    assert dict(FEEDS["real_estate"].output_columns())["area_m2"] == "float64"


def test_kinds_as_of_semantics_and_identity() -> None:
    assert FEEDS["enterprise"].column("capital_fen").kind == Kind.WANYUAN
    assert FEEDS["vehicle"].column("value_fen").kind == Kind.YUAN
    assert FEEDS["hukou"].column("status").allowed == ("正常", "死亡注销", "迁出注销")
    monthly = {f.id for f in FEEDS.values() if f.as_of == AsOf.MONTHLY}
    assert monthly == {"social_insurance", "pension", "unemployment", "tax", "housing_fund"}
    assert all(FEEDS[f].period == "period" for f in monthly)
    assert {f.id for f in FEEDS.values() if f.as_of == AsOf.QUERY} == {"deposit", "securities"}
    marriage = FEEDS["marriage"]
    assert [c.name for c in marriage.id_columns] == ["id_number", "spouse_id_number"] and not marriage.has_name
    # Any single-identity feed may deliver the digest in place of the number.
    assert all(DIGEST_HEADER in f.id_columns[0].digest_headers for f in FEEDS.values() if f.id != "marriage")


def test_describe_says_what_a_row_proves() -> None:
    vehicle = FEEDS["vehicle"]
    row = {"plate": "浙B12345", "vehicle_type": "小型轿车", "registered_on": dt.date(2020, 3, 1), "value_fen": 12345678}
    assert (
        vehicle.describe(row) == "名下登记有机动车（浙B12345，小型轿车，初次登记 2020-03-01，车辆价值 123,456.78 元）"
    )
    assert FEEDS["tax"].describe({"period": dt.date(2026, 5, 1), "item": "工资薪金所得", "income_fen": 500000}) == (
        "税务部门有申报收入（2026年5月，工资薪金所得，收入额 5,000.00 元）"
    )
    assert fen_text(-5) == "-0.05 元"
    assert "未知的部门数据类型" in str(_raises(lambda: feed_get("nope")))


def _raises(fn: object) -> Exception:
    try:
        fn()  # type: ignore[operator]
    except Exception as exc:
        return exc
    raise AssertionError("no exception")


def test_a_new_feed_is_only_a_definition(tmp_path: Path) -> None:
    """A feed type nobody coded for (养犬登记) ingests through the same path as the 19."""
    dogs = Feed(
        "dog_licence",
        "公安",
        "养犬登记",
        (
            person_id("犬主身份号码"),
            person_name("犬主姓名"),
            Column("licence_no", ("犬证编号",)),
            Column("fee_fen", ("登记费",), Kind.YUAN, nonempty=True),
            Column("registered_on", ("登记日期",), Kind.DATE),
        ),
        AsOf.SNAPSHOT,
        "名下登记有犬只",
        "{licence_no}，登记费 {fee_fen}",
    )
    path = write_csv(
        tmp_path / "dogs.csv",
        ["犬主身份号码", "犬主姓名", "犬证编号", "登记费", "登记日期"],
        [[ID_A, "张三", "YZ-1", "300", "2026年3月1日"], [ID_B, "李四", "YZ-2", "三百", "2026-03-02"]],
    )
    result = ingest_file(dogs, path, dt.date(2026, 12, 1), FeedStore(tmp_path / "store"))
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1)
    row = FeedStore(tmp_path / "store").snapshot("dog_licence", dt.date(2026, 12, 1)).read().to_pylist()[0]
    assert row["fee_fen"] == 30000 and row["registered_on"] == dt.date(2026, 3, 1)
    assert dogs.describe(row) == "名下登记有犬只（YZ-1，登记费 300.00 元）"
