"""The generated residents file: deterministic, valid, streaming, shaped like a Chinese county."""

from __future__ import annotations

import csv
import datetime as dt
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from minzheng.core import idnumber
from minzheng.demo.generator import HEADERS, TODAY, county_villages, write_residents_file
from minzheng.registry import vocab

MALE = {"子", "父亲", "女婿"}
FEMALE = {"女", "母亲", "儿媳"}


@pytest.fixture(scope="module")
def county_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "居民.csv"
    counts = write_residents_file(path, persons=5000, seed=11)
    assert counts["persons"] == 5000
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def age(row: dict[str, str]) -> int:
    born = idnumber.parse(row["公民身份号码"], today=TODAY).birth_date
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def households(data: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in data:
        out[r["户编号"]].append(r)
    return out


def test_same_seed_same_bytes_other_seed_other_county(tmp_path: Path, county_file: Path) -> None:
    again = tmp_path / "again.csv"
    write_residents_file(again, persons=5000, seed=11)
    assert again.read_bytes() == county_file.read_bytes()
    assert county_file.read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM, as the template says
    other = tmp_path / "other.csv"
    write_residents_file(other, persons=5000, seed=12)
    assert other.read_bytes() != county_file.read_bytes()


def test_numbers_valid_unique_and_sex_consistent(county_file: Path) -> None:
    data = rows(county_file)
    assert list(data[0]) == HEADERS
    numbers = [r["公民身份号码"] for r in data]
    assert len(set(numbers)) == 5000
    assert all(idnumber.is_valid(n) for n in numbers)
    sex = {r["公民身份号码"]: idnumber.parse(r["公民身份号码"]).sex for r in data}
    assert {sex[r["公民身份号码"]] for r in data if r["与户主关系"] in MALE} == {"M"}
    assert {sex[r["公民身份号码"]] for r in data if r["与户主关系"] in FEMALE} == {"F"}
    for members in households(data).values():
        head = next(m for m in members if m["与户主关系"] == "户主")
        for spouse in (m for m in members if m["与户主关系"] == "配偶"):
            assert sex[spouse["公民身份号码"]] != sex[head["公民身份号码"]]
    migrants = sum(not n.startswith("330212") for n in numbers) / len(numbers)
    assert 0.05 <= migrants <= 0.15  # older codes from elsewhere in 浙江


def test_numbers_unique_in_a_county_whose_code_migrants_also_carry(tmp_path: Path) -> None:
    path = tmp_path / "西湖区.csv"
    write_residents_file(path, persons=20000, seed=2, county="330106")  # 330106 is one of OTHER_ZJ_CODES
    numbers = [r["公民身份号码"] for r in rows(path)]
    assert len(set(numbers)) == len(numbers) == 20000


def test_one_head_first_in_each_household_and_real_villages(county_file: Path) -> None:
    data = rows(county_file)
    groups = households(data)
    assert all(members[0]["与户主关系"] == "户主" for members in groups.values())
    assert Counter(r["与户主关系"] for r in data)["户主"] == len(groups)
    assert {r["与户主关系"] for r in data} == {
        "户主", "配偶", "子", "女", "父亲", "母亲", "孙子女", "兄弟姐妹", "儿媳", "女婿", "其他"
    }  # fmt: skip
    villages = dict(county_villages("330212"))
    assert {r["现住址区划代码"] for r in data} <= set(villages)
    assert all(len({m["现住址区划代码"] for m in members}) == 1 for members in groups.values())
    for r in data:  # 社区: building, unit and room; 村: only the grid
        urban = villages[r["现住址区划代码"]].endswith("社区")
        assert r["网格"].startswith("第") and r["网格"].endswith("网格")
        assert bool(r["楼栋"] and r["单元"] and r["房间"]) == urban


def test_population_and_household_shape(county_file: Path) -> None:
    data = rows(county_file)
    ages = [age(r) for r in data]
    share = lambda low, high=200: sum(low <= a <= high for a in ages) / len(ages)  # noqa: E731
    assert 0.19 <= share(60) <= 0.26
    assert 0.12 <= share(65) <= 0.18
    assert 0.02 <= share(80) <= 0.045
    assert 0.11 <= share(0, 14) <= 0.18
    sizes = Counter(len(m) for m in households(data).values())
    assert set(sizes) == {1, 2, 3, 4, 5, 6}
    assert 2.6 <= len(data) / sum(sizes.values()) <= 3.0


def test_ages_fit_together_in_a_household(county_file: Path) -> None:
    for members in households(rows(county_file)).values():
        head, mother = members[0], None
        for m in members:
            if m["与户主关系"] in ("父亲", "母亲"):
                assert age(m) - age(head) >= 18
            if m["与户主关系"] == "配偶":
                assert abs(age(m) - age(head)) <= 8
                mother = m if idnumber.parse(m["公民身份号码"]).sex == "F" else head
        if mother is None:
            continue
        for kid in (m for m in members if m["与户主关系"] in ("子", "女")):
            assert 18 <= age(mother) - age(kid) <= 40


def test_tags_parse_occur_and_fit(county_file: Path) -> None:
    data = rows(county_file)
    ages = {r["公民身份号码"]: age(r) for r in data}
    size = Counter(r["户编号"] for r in data)
    kinds: Counter[str] = Counter()
    for r in data:
        for tag in vocab.tags_parse(r["人员标签"]):
            kinds[tag.kind] += 1
            if tag.kind == "living_alone_elder":
                assert size[r["户编号"]] == 1 and ages[r["公民身份号码"]] >= 60
            if tag.kind in ("left_behind_child", "orphan"):
                assert ages[r["公民身份号码"]] < 18 and r["与户主关系"] == "孙子女"
    elders = sum(a >= 60 for a in ages.values())
    assert 0.05 <= kinds["living_alone_elder"] / elders <= 0.12
    assert 0.045 <= kinds["disability"] / len(data) <= 0.075
    assert kinds["left_behind_child"] > 20
    assert kinds["incapacity"] > 30
    heads = [r for r in data if r["与户主关系"] == "户主"]
    dibao = sum("低保对象" in r["人员标签"] for r in heads) / len(heads)
    edge = sum("低保边缘" in r["人员标签"] for r in heads) / len(heads)
    tekun = sum("特困人员" in r["人员标签"] for r in heads)
    assert 0.018 <= dibao <= 0.045 and 0.004 <= edge <= 0.02 and 1 <= tekun <= 20


def test_names_phones_and_rare_characters(tmp_path: Path, county_file: Path) -> None:
    data = rows(county_file)
    surnames = Counter(r["姓名"][0] for r in data)
    assert {s for s, _ in surnames.most_common(5)} <= set("王李张刘陈杨")
    assert len(surnames) > 60  # and a long tail
    phones = [r["联系电话"] for r in data if r["联系电话"]]
    assert all((len(p) == 11 and p[0] == "1" and p[1] in "3456789") or p.startswith("0574-8") for p in phones)
    assert any(p.startswith("0574-") for p in phones)
    big = tmp_path / "big.csv"
    write_residents_file(big, persons=30000, seed=11)
    text = big.read_text(encoding="utf-8-sig")
    assert "䶮" in text or "燚" in text or "堃" in text  # rare characters (GBK lacks 䶮)


def test_villages_given_and_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    path = tmp_path / "三村.csv"
    wanted = ["330212100201", "330212100206", "330212006005"]
    write_residents_file(path, persons=12000, seed=1, villages=wanted, progress=lambda d, t: calls.append((d, t)))
    data = rows(path)
    assert {r["现住址区划代码"] for r in data} == set(wanted)
    assert calls == [(5000, 12000), (10000, 12000), (12000, 12000)]


def test_memory_stays_flat_in_the_number_of_persons(tmp_path: Path) -> None:
    def peak(persons: int) -> int:
        tracemalloc.start()
        write_residents_file(tmp_path / f"{persons}.csv", persons=persons, seed=5)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    # Eight times the persons, the same peak: nothing grows with the population (a set of 户编号
    # or a dict of used serials would add megabytes here).
    small, large = peak(1500), peak(12000)
    assert large < small * 1.1, (small, large)


def test_today_is_not_after_the_demo_runs() -> None:
    # Birth dates are drawn before TODAY; the importer rejects births in the future.
    assert dt.date.today() >= TODAY  # noqa: DTZ011
