"""Ingestion: every demo feed, encodings, normalisation, rejects, refusals, re-ingest and replace, digests."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.demo.feeds import GB18030_FEEDS, HEADERS, XLSX_FEEDS, feed_path
from minzheng.verification.engine.catalogue import FEEDS
from minzheng.verification.engine.ingest import FeedError, as_of_from_name, ingest_file
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.tests.feeds_fixtures import (
    AS_OF,
    ID_A,
    ID_B,
    ID_X,
    TODAY,
    demo_feeds,  # noqa: F401 - module-scoped fixture
    write_csv,
    write_xlsx,
)

VEHICLE = HEADERS["vehicle"]  # 公民身份号码, 姓名, 号牌号码, 车辆类型, 初次登记日期, 车辆价值


def ingest(feed: str, path: Path, store: FeedStore, **kw: object):  # type: ignore[no-untyped-def]
    return ingest_file(feed, path, AS_OF, store, today=TODAY, **kw)  # type: ignore[arg-type]


def rows_of(store: FeedStore, feed: str) -> list[dict]:
    return store.snapshot(feed, AS_OF).read().to_pylist()  # type: ignore[union-attr]


def rejects_of(result) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    raw = Path(result.rejects_file).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it in Chinese
    return pl.read_csv(raw, infer_schema=False).to_dicts()


def test_every_demo_feed_ingests(demo_feeds: tuple[Path, dict[str, int]], tmp_path: Path) -> None:  # noqa: F811
    folder, counts = demo_feeds
    store = FeedStore(tmp_path / "feeds")
    for feed_id, count in counts.items():
        result = ingest(feed_id, feed_path(folder, feed_id, AS_OF), store)
        assert result.rows == count and result.rows == result.accepted + result.rejected, feed_id
        assert result.rejected == 0, (feed_id, result.rejects_file)  # the demo's mess is all keepable
        snap = store.snapshot(feed_id, AS_OF)
        assert snap is not None and snap.sha256 == result.source_sha256
        expected = "gb18030" if feed_id in GB18030_FEEDS else "xlsx" if feed_id in XLSX_FEEDS else "utf-8"
        assert snap.manifest["encoding"] == expected
        assert set(snap.manifest) >= {"feed", "as_of", "source_name", "source_sha256", "rows", "accepted"}
        table = snap.read()
        assert [f.name for f in table.schema] == [n for n, _ in FEEDS[feed_id].output_columns()]
        ids = pl.from_arrow(table)["id_number"]  # type: ignore[index]
        assert ids.is_sorted(nulls_last=True)
    assert set(store.all_latest(AS_OF)) == set(counts)
    # The demo's deliberate mess: wrong check digits kept with a reason, 15-digit numbers upgraded.
    hukou = pl.from_arrow(store.snapshot("hukou", AS_OF).read())  # type: ignore[union-attr]
    assert hukou["id_number"].null_count() == 0  # 公安户籍 is clean
    vehicle = pl.from_arrow(store.snapshot("vehicle", AS_OF).read())  # type: ignore[union-attr]
    assert vehicle.filter(pl.col("id_error").is_not_null())["id_number"].null_count() == vehicle["id_error"].count()
    meta = pq.ParquetFile(store.snapshot("social_insurance", AS_OF).data_path).metadata  # type: ignore[union-attr]
    assert meta.num_row_groups == 1  # small file: one group (100k rows per group)


def test_gb18030_xlsx_utf8_bom_and_full_width(tmp_path: Path) -> None:
    rows = [["３３０２１２１９５４０３１５４４１４", "张　三", "浙Ｂ12345", "小型轿车", "2020/3/1", "１２３４５．６"]]
    store = FeedStore(tmp_path)
    for i, encoding in enumerate(("gb18030", "gbk", "utf-8-sig", "utf-8")):
        path = write_csv(
            tmp_path / f"v{i}.csv",
            VEHICLE,
            [*rows, [ID_B, "𠀀丽" if encoding == "gb18030" else "丽", "", "", "", ""]],
            encoding,
        )
        day = AS_OF + dt.timedelta(days=i)
        ingest_file("vehicle", path, day, store, today=TODAY)
        got = store.snapshot("vehicle", day).read().to_pylist()  # type: ignore[union-attr]
        first = next(r for r in got if r["id_number"] == ID_A)
        assert first["name"] == "张三" and first["plate"] == "浙B12345" and first["value_fen"] == 1234560
        assert first["registered_on"] == dt.date(2020, 3, 1) and first["id_raw"] == rows[0][0]
        if encoding == "gb18030":  # a character outside GBK survives the transcoding
            assert any(r["name"] == "𠀀丽" for r in got)
    xlsx = write_xlsx(
        tmp_path / "v.xlsx", VEHICLE, [[ID_X.lower(), "王五", "浙B1", "轻型货车", dt.date(2019, 1, 2), 8000.5]]
    )
    result = ingest_file("vehicle", xlsx, AS_OF - dt.timedelta(days=1), store, today=TODAY)
    row = store.snapshot("vehicle", AS_OF - dt.timedelta(days=1)).read().to_pylist()[0]  # type: ignore[union-attr]
    assert result.encoding == "xlsx" and row["id_number"] == ID_X and row["value_fen"] == 800050
    assert row["registered_on"] == dt.date(2019, 1, 2)


def test_identity_numbers_normalised_kept_or_rejected(tmp_path: Path) -> None:
    old15 = ID_A[:6] + ID_A[8:17]  # the same person's 15-digit number from an old system
    rows = [
        [old15, "张三", "", "", "", ""],
        [f" {ID_X[:6]} {ID_X[6:14]} {ID_X[14:].lower()}", "李四", "", "", "", ""],
        [ID_B[:17] + "9", "王五", "", "", "", ""],  # wrong check digit: kept for name matching
        ["330212202712010011", "赵六", "", "", "", ""],  # born in the future
        ["33021219800230001X", "钱七", "", "", "", ""],  # 30 February
        ["", "孙八", "", "", "", ""],  # no number: kept for name matching
        ["12345", "", "", "", "", ""],  # neither a number nor a name: rejected
        ["", "", "浙B1", "", "", ""],
    ]
    store = FeedStore(tmp_path)
    result = ingest("vehicle", write_csv(tmp_path / "ids.csv", VEHICLE, rows), store)
    assert (result.rows, result.accepted, result.rejected) == (8, 6, 2)
    by_name = {r["name"]: r for r in rows_of(store, "vehicle")}
    assert by_name["张三"]["id_number"] == ID_A and by_name["张三"]["id_raw"] == old15
    assert by_name["李四"]["id_number"] == ID_X
    assert by_name["王五"]["id_number"] is None
    assert by_name["王五"]["id_error"] == f"公民身份号码：校验位错误（应为 {ID_B[17]}）"
    assert by_name["赵六"]["id_error"] == "公民身份号码：出生日期 2027-12-01 晚于今天"
    assert by_name["钱七"]["id_error"] == "公民身份号码：出生日期 19800230 不存在"
    assert by_name["孙八"]["id_number"] is None and by_name["孙八"]["id_error"] is None
    reasons = {r["行号"]: r["错误原因"] for r in rejects_of(result)}
    assert reasons == {"8": "公民身份号码：应为 18 位，实际 5 位，且姓名为空", "9": "公民身份号码和姓名均为空"}


def test_money_dates_and_months_exact(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    headers = HEADERS["enterprise"]  # ..., 认缴出资额(万元), 登记状态
    rows = [
        [ID_A, "张三", "X", "甲公司", "董事", "12.345678", "存续"],
        [ID_B, "李四", "X", "乙公司", "监事", "0.000001", "存续"],
        [ID_X, "王五", "X", "丙公司", "投资人", "１００万元", "存续"],
        [ID_A, "张三", "X", "丁公司", "投资人", "1.2345678", "存续"],  # 7 decimals of 万元: below a fen
        [ID_A, "张三", "X", "戊公司", "老板", "5", "存续"],  # not a role of the contract
    ]
    result = ingest(
        "enterprise", write_csv(tmp_path / "e.csv", [*headers[:5], "认缴出资额（万元）", headers[6]], rows), store
    )
    capital = {r["company"]: r["capital_fen"] for r in rows_of(store, "enterprise")}
    assert capital == {"甲公司": 12_345_678, "乙公司": 1, "丙公司": 100_000_000}
    reasons = [r["错误原因"] for r in rejects_of(result)]
    assert reasons == [
        "认缴出资额(万元)：“1.2345678”不是有效金额（万元，最多 6 位小数）",
        "角色：“老板”应为 法定代表人、投资人、董事、监事、高级管理人员、个体工商户经营者 之一",
    ]
    tax_rows = [
        [ID_A, "张三", "工资薪金所得", "1,234.5", "2026-05"],
        [ID_A, "张三", "工资薪金所得", "￥0.07", "202606"],
        [ID_A, "张三", "工资薪金所得", "-12.30", "2026年7月"],
        [ID_A, "张三", "工资薪金所得", "99999999999.99", "2026/8"],
        [ID_A, "张三", "工资薪金所得", "1.234", "2026-09"],
        [ID_A, "张三", "工资薪金所得", "100", "2026-13"],
        [ID_A, "张三", "工资薪金所得", "", "2026-10"],
    ]
    result = ingest("tax", write_csv(tmp_path / "t.csv", HEADERS["tax"], tax_rows), store)
    got = [(r["income_fen"], r["period"]) for r in sorted(rows_of(store, "tax"), key=lambda r: r["_row"])]
    assert got == [
        (123450, dt.date(2026, 5, 1)),
        (7, dt.date(2026, 6, 1)),
        (-1230, dt.date(2026, 7, 1)),
        (9_999_999_999_999, dt.date(2026, 8, 1)),
    ]
    assert [r["错误原因"] for r in rejects_of(result)] == [
        "收入额：“1.234”不是有效金额（元，最多 2 位小数）",
        "税款所属期：“2026-13”不是有效年月（如 2024-01 或 202401）",
        "收入额：为空",
    ]
    death_rows = [
        [ID_A, "张三", d] for d in ("2024-01-05", "2024/1/5", "20240105", "2024年1月5日", "2024.1.5", "45296")
    ]
    result = ingest(
        "death", write_csv(tmp_path / "d.csv", HEADERS["death"], [*death_rows, [ID_B, "李四", "2024-02-30"]]), store
    )
    assert {r["died_on"] for r in rows_of(store, "death")} == {dt.date(2024, 1, 5)}
    assert rejects_of(result)[0]["错误原因"] == "死亡日期：“2024-02-30”不是有效日期（如 2024-01-05）"


def test_rejects_keep_the_original_cells(tmp_path: Path) -> None:
    rows = [[ID_A, "张三", "浙B1", "小型轿车", "去年", "很贵"], [ID_B, "李四", "浙B2", "小型轿车", "2020-01-01", "10"]]
    headers = [*VEHICLE, "备注"]
    result = ingest("vehicle", write_csv(tmp_path / "v.csv", headers, [[*r, "x"] for r in rows]), FeedStore(tmp_path))
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1)
    [bad] = rejects_of(result)
    assert list(bad) == ["行号", *headers, "错误原因"]
    assert bad["行号"] == "2" and bad["初次登记日期"] == "去年" and bad["车辆价值"] == "很贵" and bad["备注"] == "x"
    assert (
        bad["错误原因"]
        == "初次登记日期：“去年”不是有效日期（如 2024-01-05）；车辆价值：“很贵”不是有效金额（元，最多 2 位小数）"
    )


def test_missing_headers_refuse_the_file_and_write_nothing(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    path = write_csv(tmp_path / "v.csv", ["公民身份号码", "姓名", "号牌号码"], [[ID_A, "张三", "浙B1"]])
    with pytest.raises(FeedError) as err:
        ingest("vehicle", path, store)
    assert "缺少必需的列：车辆类型、初次登记日期、车辆价值；整个文件未导入" in str(err.value)
    assert store.snapshot("vehicle", AS_OF) is None and store.dates("vehicle") == []
    assert [p.name for p in (store.root / "vehicle").iterdir()] == [".lock"]  # no snapshot, no temporary left
    with pytest.raises(FeedError, match="公民身份号码 或 身份号码摘要"):
        ingest("death", write_csv(tmp_path / "d.csv", ["姓名", "死亡日期"], [["张三", "2024-01-01"]]), store)
    with pytest.raises(FeedError, match="未知的部门数据类型"):
        ingest("cars", path, store)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FeedError, match="文件为空"):
        ingest("vehicle", empty, store)


def test_reingest_changes_nothing_and_replace_keeps_the_old(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    first = write_csv(
        tmp_path / "vehicle_2026-12-01.csv", VEHICLE, [[ID_A, "张三", "浙B1", "小型轿车", "2020-01-01", "10"]]
    )
    done = ingest("vehicle", first, store)
    manifest = (store.snapshot("vehicle", AS_OF).path / "manifest.json").read_bytes()  # type: ignore[union-attr]
    again = ingest("vehicle", first, store)
    assert again.unchanged and (again.rows, again.accepted) == (done.rows, done.accepted)
    assert (store.snapshot("vehicle", AS_OF).path / "manifest.json").read_bytes() == manifest  # type: ignore[union-attr]
    second = write_csv(tmp_path / "v2.csv", VEHICLE, [[ID_B, "李四", "浙B2", "小型轿车", "2021-01-01", "20"]] * 2)
    with pytest.raises(FeedError, match=r"已有另一份文件“vehicle_2026-12-01\.csv”；如确需替换"):
        ingest("vehicle", second, store)
    assert (store.snapshot("vehicle", AS_OF).path / "manifest.json").read_bytes() == manifest  # type: ignore[union-attr]
    replaced = ingest("vehicle", second, store, replace=True)
    snap = store.snapshot("vehicle", AS_OF)
    assert snap is not None and snap.manifest["rows"] == 2 and replaced.replaced is not None
    [kept] = snap.replaced()
    assert json.loads((kept / "manifest.json").read_bytes()) == json.loads(manifest)
    assert pq.read_table(kept / "data.parquet").column("id_number").to_pylist() == [ID_A]
    restored = store.restore("vehicle", AS_OF, kept.name)  # recoverable: back as it was
    assert restored.manifest == json.loads(manifest) and len(restored.replaced()) == 1


def test_digest_feed(tmp_path: Path) -> None:
    good = hmac.new(DIGEST_KEY, ID_A.encode(), "sm3").hexdigest()
    rows = [[good.upper(), "张三", "1000.00", "2026-12-01"], ["abc", "李四", "5", "2026-12-01"], ["", "", "5", ""]]
    store = FeedStore(tmp_path)
    result = ingest("securities", write_csv(tmp_path / "s.csv", HEADERS["securities"], rows), store)
    assert (result.accepted, result.rejected) == (2, 1)
    by_name = {r["name"]: r for r in rows_of(store, "securities")}
    assert by_name["张三"]["id_digest"] == good and by_name["张三"]["id_number"] is None
    assert by_name["张三"]["market_value_fen"] == 100000
    assert by_name["李四"]["id_digest"] is None and "身份号码摘要：应为 64 位十六进制" in by_name["李四"]["id_error"]


def test_store_reads_latest_previous_and_point_lookups(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)  # a FEEDS_DIR: the store lives in its "store" folder
    assert store.root == tmp_path / "store"
    for i, day in enumerate((dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1))):
        rows = [[ID_A, "张三", f"浙B{i}", "小型轿车", "2020-01-01", str(i)], [ID_B, "李四", "浙B9", "", "", ""]]
        ingest_file("vehicle", write_csv(tmp_path / f"{i}.csv", VEHICLE, rows), day, store, today=TODAY)
    assert store.latest("vehicle", dt.date(2026, 11, 15)).as_of == dt.date(2026, 11, 1)  # type: ignore[union-attr]
    assert store.previous("vehicle", dt.date(2026, 11, 15)).as_of == dt.date(2026, 10, 1)  # type: ignore[union-attr]
    assert (
        store.latest("vehicle", dt.date(2026, 9, 1)) is None and store.previous("vehicle", dt.date(2026, 10, 1)) is None
    )
    found = store.snapshot("vehicle", dt.date(2026, 12, 1)).lookup([ID_A])  # type: ignore[union-attr]
    assert found.column("plate").to_pylist() == ["浙B2"]
    assert store.snapshot("vehicle", dt.date(2026, 12, 1)).lookup([]).num_rows == 0  # type: ignore[union-attr]


def test_as_of_from_file_name() -> None:
    assert as_of_from_name("vehicle_2026-12-01.csv") == dt.date(2026, 12, 1)
    assert as_of_from_name("社保20261101.xlsx") == dt.date(2026, 11, 1)
    assert as_of_from_name("vehicle.csv") is None and as_of_from_name("x_2026-13-45.csv") is None


def test_blank_lines_are_not_rows_and_row_numbers_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    lines = ["公民身份号码,姓名,死亡日期", f"{ID_A},张三,2024-01-05", "", ",,", "  ,  ,  ", f"{ID_B},李四,2024-13-01"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = ingest("death", path, FeedStore(tmp_path))
    assert (result.rows, result.accepted, result.rejected) == (3, 1, 2)
    reasons = {r["行号"]: r["错误原因"] for r in rejects_of(result)}
    assert reasons == {
        "5": "死亡日期：为空；公民身份号码和姓名均为空",
        "6": "死亡日期：“2024-13-01”不是有效日期（如 2024-01-05）",
    }


def test_fast_path_gives_what_the_full_path_gives(demo_feeds: tuple[Path, dict[str, int]], tmp_path: Path) -> None:  # noqa: F811
    """Canonical rows skip the full normalisers: for every demo feed, the same rows as the full path alone."""
    from minzheng.verification.engine import ingest as engine

    folder, _ = demo_feeds
    store = FeedStore(tmp_path)
    for feed_id, feed in FEEDS.items():
        path = feed_path(folder, feed_id, AS_OF)
        ingest(feed_id, path, store)
        got = pl.from_arrow(store.snapshot(feed_id, AS_OF).read()).sort("_row")  # type: ignore[union-attr, union-attr]
        frame, headers, _ = engine._read(path, tmp_path)
        plan, messages = engine._normalised(feed, frame, engine._map_headers(feed, headers), TODAY)
        full = engine._explain(plan.collect(), feed, messages).filter(pl.col("_errors").is_null())
        names = [n for n, _ in feed.output_columns()]
        assert got.equals(full.select(names).sort("_row").cast(dict(got.schema))), feed_id  # type: ignore[arg-type]


def test_header_only_and_all_clean_files(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    empty = ingest("death", write_csv(tmp_path / "e.csv", HEADERS["death"], []), store)
    assert (empty.rows, empty.accepted, empty.rejected, empty.rejects_file) == (0, 0, 0, None)
    rows = [[ID_A, "张三", "2024-01-05"], [ID_B, "李四", "2024-02-05"]]
    clean = ingest_file("death", write_csv(tmp_path / "c.csv", HEADERS["death"], rows), dt.date(2026, 1, 1), store)
    assert (clean.rows, clean.accepted) == (2, 2)
    got = store.snapshot("death", dt.date(2026, 1, 1)).read().to_pylist()  # type: ignore[union-attr]
    assert [(r["id_number"], r["died_on"], r["id_error"]) for r in got] == [
        (ID_A, dt.date(2024, 1, 5), None),
        (ID_B, dt.date(2024, 2, 5), None),
    ]


@pytest.mark.parametrize("with_iconv", [True, False])
def test_gb_files_with_and_without_iconv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_iconv: bool) -> None:
    from minzheng.verification.engine import ingest as engine

    if not with_iconv:  # a machine without glibc's iconv: Python's codec does the same job
        monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    store = FeedStore(tmp_path)
    rows = [[ID_A, "𠀀张", "2024-01-05"], [ID_B, "李四", "2024-01-06"]]
    result = ingest("death", write_csv(tmp_path / "d.csv", HEADERS["death"], rows, "gb18030"), store)
    assert result.encoding == "gb18030" and result.accepted == 2
    assert {r["name"] for r in rows_of(store, "death")} == {"𠀀张", "李四"}
    broken = tmp_path / "broken.csv"
    broken.write_bytes(",".join(HEADERS["death"]).encode("gb18030") + b"\r\n" + b"\xff\xfe\xfd,x,y\r\n")
    with pytest.raises(FeedError, match="无法识别文件编码"):
        ingest_file("death", broken, dt.date(2026, 1, 1), store, today=TODAY)
    assert store.snapshot("death", dt.date(2026, 1, 1)) is None
