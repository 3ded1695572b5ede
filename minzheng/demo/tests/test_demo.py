from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from minzheng.accounts.models import Role, User
from minzheng.core import idnumber
from minzheng.demo.build import demo_build
from minzheng.demo.feeds import HEADERS, digest, write_feeds
from minzheng.demo.generator import HEADERS as RESIDENT_HEADERS
from minzheng.demo.generator import TODAY, county_villages, write_residents_file
from minzheng.registry import vocab
from minzheng.registry.importing import residents_import
from minzheng.registry.models import Household, Person


@pytest.fixture(scope="module")
def county_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "居民.csv"
    write_residents_file(path, persons=5000, seed=11)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_same_bytes(tmp_path: Path, county_file: Path) -> None:
    again = tmp_path / "again.csv"
    write_residents_file(again, persons=5000, seed=11)
    assert again.read_bytes() == county_file.read_bytes()
    other = tmp_path / "other.csv"
    write_residents_file(other, persons=5000, seed=12)
    assert other.read_bytes() != county_file.read_bytes()


def test_numbers_valid_unique_and_consistent(county_file: Path) -> None:
    data = rows(county_file)
    assert len(data) == 5000
    assert list(data[0]) == RESIDENT_HEADERS
    numbers = [r["公民身份号码"] for r in data]
    assert len(set(numbers)) == 5000
    assert all(idnumber.is_valid(n) for n in numbers)


def test_one_head_per_household_and_real_villages(county_file: Path) -> None:
    data = rows(county_file)
    heads = Counter(r["户编号"] for r in data if r["与户主关系"] == "户主")
    households = {r["户编号"] for r in data}
    assert set(heads) == households and set(heads.values()) == {1}
    villages = {c for c, _ in county_villages("330212")}
    assert {r["现住址区划代码"] for r in data} <= villages
    assert 2.5 <= len(data) / len(households) <= 3.2


def test_population_shape(county_file: Path) -> None:
    ages = [TODAY.year - int(r["公民身份号码"][6:10]) for r in rows(county_file)]
    share = lambda low, high: sum(low <= a <= high for a in ages) / len(ages)  # noqa: E731
    assert 0.17 <= share(60, 120) <= 0.30
    assert 0.01 <= share(80, 120) <= 0.06
    assert 0.10 <= share(0, 17) <= 0.25


def test_tags_parse_and_occur(county_file: Path) -> None:
    data = rows(county_file)
    kinds = Counter(t.kind for r in data for t in vocab.tags_parse(r["人员标签"]))
    assert kinds["living_alone_elder"] > 100
    assert kinds["disability"] > 150
    assert kinds["left_behind_child"] > 20
    assert kinds["dibao"] > 50
    assert kinds["incapacity"] > 20


def test_feeds_have_contract_headers(county_file: Path, tmp_path: Path) -> None:
    as_of = dt.date(2026, 11, 1)
    written = write_feeds(county_file, tmp_path, as_of=as_of, seed=11)
    assert set(written) == set(HEADERS) and len(HEADERS) == 19
    from minzheng.core.tabular import open_table

    for feed_id, headers in HEADERS.items():
        suffix = "xlsx" if feed_id == "real_estate" else "csv"
        with open_table(tmp_path / f"{feed_id}_2026-11-01.{suffix}") as table:
            assert table.headers == headers, feed_id
            assert sum(1 for _ in table.rows) == written[feed_id]
    with open_table(tmp_path / "hukou_2026-11-01.csv") as table:
        assert table.encoding == "gb18030"
        statuses = Counter(r[5] for r in table.rows)
    assert statuses["死亡注销"] > 0 and statuses["正常"] > 4500
    numbers = {r["公民身份号码"] for r in rows(county_file)}
    digests = {digest(n) for n in numbers}
    with open_table(tmp_path / "securities_2026-11-01.csv") as table:
        assert all(r[0] in digests for r in table.rows)


def test_demo_build_end_to_end(db: None) -> None:
    built = demo_build(persons=2000, seed=3, county="330212", step=lambda _: None)
    assert (built.import_result.accepted, built.import_result.rejected) == (2000, 0)
    assert Person.objects.count() == 2000
    assert Household.objects.count() == built.import_result.rows - Person.objects.exclude(relation="02").count()
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(Role.values)
    assert len(built.feeds) == 19
    # The sample with bad rows is the 村 account's to try: its village's rows pass, exactly the 5 bad ones fail.
    cun = User.objects.get(username="cun")
    sample = residents_import(path=built.residents_file.parent / "居民信息_含错误行.csv", actor=cun)
    assert (sample.accepted, sample.rejected) == (sample.rows - 5, 5)
    assert sample.accepted > 0
