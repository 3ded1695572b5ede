"""Generate a county's residents in the import template (DATA_CONTRACTS §1).

Streaming and deterministic: households are generated one at a time from a
seeded RNG and written straight to the CSV, so a million persons need no more
memory than a thousand, and the same seed gives byte-identical files.

Shape (a Chinese county in 2026): about 22% aged 60+, 15% 65+, 3% 80+, 15%
under 15; households of 1–6 (mean near 2.8) built from real compositions
(elders alone, empty nests, nuclear families, three generations, grandparents
raising 留守儿童); ages inside a household are consistent (spouses close in
age, children born to mothers of 21–37). Tags: 独居老人, 残疾 (~6%), 失能,
低保对象 (~3% of 户), 低保边缘 (~1%), 特困人员 (~0.3%), a few 孤儿/事实无人抚养儿童/困境儿童.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import random
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from minzheng.core.idnumber import check_digit
from minzheng.demo import names
from minzheng.demo.households import Composer

HEADERS = [
    "姓名",
    "公民身份号码",
    "户编号",
    "与户主关系",
    "现住址区划代码",
    "网格",
    "楼栋",
    "单元",
    "房间",
    "联系电话",
    "人员标签",
]
# Fixed, not date.today(): the same seed gives the same county on any day. No birth date may
# lie after the day the demo runs (the importer rejects future births), so this must not move later.
TODAY = dt.date(2026, 11, 1)
MAX_AGE = 104
# Persons per single year of age, relative: the 第七次全国人口普查 (2020) pyramid moved on six
# years with rough mortality — the 1962–66 boom now 60–64, the 1959–61 famine dip at 65–67,
# births falling since 2017.
AGE_BANDS = (
    (0, 4, 9.4),
    (5, 9, 15.4),
    (10, 24, 16.5),
    (25, 34, 18.0),
    (35, 39, 22.0),
    (40, 49, 19.0),
    (50, 59, 22.0),
    (60, 64, 19.0),
    (65, 67, 13.0),
    (68, 74, 12.0),
    (75, 79, 8.5),
    (80, 84, 5.0),
    (85, 89, 2.6),
    (90, 94, 1.0),
    (95, 99, 0.25),
    (100, MAX_AGE, 0.05),
)
# Address codes of migrants' numbers: other 浙江 counties, some since renamed or merged.
OTHER_ZJ_CODES = ("330106", "330302", "330402", "330602", "330781", "331002", "330282", "330226", "330206")
# Landline area codes by city (3302 宁波 → 0574).
AREA_CODES = {
    "3301": "0571",
    "3302": "0574",
    "3303": "0577",
    "3304": "0573",
    "3305": "0572",
    "3306": "0575",
    "3307": "0579",
    "3308": "0570",
    "3309": "0580",
    "3310": "0576",
    "3311": "0578",
}
SERIALS = 500  # per area code, birth date and sex: the 3-digit 顺序码 has 500 odd and 500 even values
DAYS = (MAX_AGE + 2) * 366


@dataclass(slots=True)
class Member:
    surname: str
    name: str
    sex: str  # "M" or "F"
    age: int
    birth: dt.date
    relation: str
    tags: list[str] = field(default_factory=list)


def division_names(county: str) -> dict[str, str]:
    """Code → name of the county and every town and village under it, from the shipped table (no Django)."""
    from minzheng.divisions.codes import BUILTIN

    with gzip.open(BUILTIN, "rt", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        return {c: n for c, n in rows if c.startswith(county[:6]) and len(c) == 12}


def county_villages(county: str) -> list[tuple[str, str]]:
    """(code, name) of the county's villages/communities (level 5: the last three digits are not 000)."""
    return [(c, n) for c, n in division_names(county).items() if not c.endswith("000")]


def is_urban(code: str, name: str) -> bool:
    # 统计用区划代码: 居委会 (社区) take 001–199 in the last three digits, 村委会 200–399.
    return name.endswith("社区") or int(code[9:]) < 200


class People:
    """Seeded draws of ages, names, identity numbers and phones."""

    def __init__(self, rng: random.Random, county: str) -> None:
        self.rng = rng
        self.county = county
        self.areas = (county, *(code for code in OTHER_ZJ_CODES if code != county))  # one counter per code
        self.area_code = AREA_CODES.get(county[:4], "0574")
        weights = [w for lo, hi, w in AGE_BANDS for _ in range(lo, hi + 1)]
        self.age_cum = [0.0, *accumulate(weights)]
        self.age_rel = [w / max(weights) for w in weights]
        self.surnames = [s for s, _ in names.SURNAMES]
        self.surname_cum = list(accumulate(w for _, w in names.SURNAMES))
        # Serials used per (area, birth date, sex), as a flat array: 2 bytes each, bounded by
        # days × areas, not by the number of persons.
        self.serials = array("H", bytes(2 * len(self.areas) * DAYS * 2))

    def age(self, low: int, high: int) -> int:
        """An age in [low, high], as common as that age is in the county."""
        low, high = max(0, low), min(MAX_AGE, max(low, high))
        x = self.age_cum[low] + self.rng.random() * (self.age_cum[high + 1] - self.age_cum[low])
        return min(high, max(low, bisect_right(self.age_cum, x) - 1))

    def age_share(self, age: int) -> float:
        """How common `age` is, relative to the most common age (0–1]."""
        return self.age_rel[min(age, MAX_AGE)]

    def surname(self) -> str:
        x = self.rng.random() * self.surname_cum[-1]
        return self.surnames[bisect_right(self.surname_cum, x)]

    def given(self, sex: str, birth_year: int) -> str:
        if birth_year < 1965:
            pool = names.GIVEN_OLD_M if sex == "M" else names.GIVEN_OLD_F
        elif birth_year < 2000:
            pool = names.GIVEN_MID_M if sex == "M" else names.GIVEN_MID_F
        else:
            pool = names.GIVEN_NEW_M if sex == "M" else names.GIVEN_NEW_F
        text = "".join(self.rng.choice(pool) for _ in range(1 if self.rng.random() < 0.22 else 2))
        if self.rng.random() < 0.002:
            text = text[:-1] + self.rng.choice(names.RARE)
        return text

    def person(self, surname: str, sex: str, age: int, relation: str) -> Member:
        age = min(MAX_AGE, max(0, age))
        birth = TODAY - dt.timedelta(days=age * 365 + age // 4 + self.rng.randint(1, 364))
        return Member(surname, surname + self.given(sex, birth.year), sex, age, birth, relation)

    def id_number(self, member: Member) -> str:
        area_index = 0 if self.rng.random() < 0.9 else self.rng.randrange(1, len(self.areas))
        sex_bit = 1 if member.sex == "M" else 0  # 顺序码 odd for men, even for women
        while True:
            key = ((area_index * DAYS) + (TODAY - member.birth).days) * 2 + sex_bit
            used = self.serials[key]
            if used < SERIALS:
                break
            member.birth -= dt.timedelta(days=1)  # that day is full for this area and sex: a day earlier
        self.serials[key] = used + 1
        area = self.areas[area_index]
        # Spread the serials so numbers do not all end in 000/001; crc32 keeps it seed-stable.
        slot = (zlib.crc32(f"{area}{member.birth}".encode()) + used) % SERIALS
        first17 = f"{area}{member.birth:%Y%m%d}{slot * 2 + sex_bit:03d}"
        return first17 + check_digit(first17)

    def phone(self, member: Member) -> str:
        if member.age < 14 or (member.age > 75 and self.rng.random() < 0.3):
            return ""
        if member.age >= 60 and self.rng.random() < 0.25:
            return f"{self.area_code}-8{self.rng.randint(0, 9999999):07d}"
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999999999):09d}"


class CountyGenerator:
    def __init__(self, *, seed: int, county: str, villages: list[tuple[str, str]]) -> None:
        if not villages:
            raise ValueError(f"区划 {county} 下没有村（社区）：请先导入该县的村级区划")
        self.rng = random.Random(seed)
        self.county = county[:6]
        self.villages = [(code, is_urban(code, name)) for code, name in villages]
        self.people = People(self.rng, self.county)
        self.composer = Composer(self.rng, self.people)

    def address(self) -> tuple[str, str, str, str, str]:
        code, urban = self.villages[self.rng.randrange(len(self.villages))]
        grid = f"第{self.rng.randint(1, 8)}网格"
        if not urban:
            return code, grid, "", "", ""  # a village: the grid is the lowest level
        building, unit = self.rng.randint(1, 40), self.rng.randint(1, 4)
        room = f"{self.rng.randint(1, 18)}{self.rng.randint(1, 4):02d}"
        return code, grid, str(building), str(unit), room

    def rows(self, persons: int) -> Iterator[list[str]]:
        made, index = 0, 0
        while made < persons:
            index += 1
            members = self.composer.household()[: persons - made]  # the head comes first
            address = self.address()
            household_no = f"{self.county}{index:08d}"
            for m in members:
                number, phone = self.people.id_number(m), self.people.phone(m)
                yield [m.name, number, household_no, m.relation, *address, phone, ";".join(m.tags)]
            made += len(members)


def write_residents_file(
    path: Path,
    *,
    persons: int,
    seed: int,
    county: str = "330212",
    villages: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write `persons` residents to `path` (CSV, UTF-8 with BOM). Returns counts.

    `villages`: the 12-digit village/community codes to spread households over; by default every
    one under `county` in the shipped division table (read directly, so no Django is needed).
    """
    generator = CountyGenerator(seed=seed, county=county, villages=_villages(county, villages))
    path.parent.mkdir(parents=True, exist_ok=True)
    households, rows, last = 0, 0, ""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADERS)
        for row in generator.rows(persons):
            writer.writerow(row)
            households, last = (households + 1, row[2]) if row[2] != last else (households, last)
            rows += 1
            if progress and rows % 5000 == 0:
                progress(rows, persons)
    if progress:
        progress(rows, persons)
    return {"persons": rows, "households": households}


def _villages(county: str, codes: list[str] | None) -> list[tuple[str, str]]:
    shipped = county_villages(county)
    if codes is None:
        return shipped
    known = dict(shipped)
    return [(code, known.get(code, "")) for code in sorted(set(codes))]
