"""Generate a county's residents in the import template (DATA_CONTRACTS §1).

Streaming and deterministic: households are generated one at a time from a
seeded RNG and written straight to the CSV, so a million persons need no more
memory than a thousand, and the same seed gives byte-identical files.

Shape (Chinese county, 2026): about 22% aged 60+, 3% 80+, 15% children, mean
household size near 2.8; elders living alone, disabled residents (~6%),
left-behind children, and low-income households (低保 ~3%, 边缘 ~1%, 特困).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from minzheng.core.idnumber import check_digit
from minzheng.demo import names

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
TODAY = dt.date(2026, 11, 1)  # fixed so that the same seed gives the same county on any day
OTHER_ZJ_CODES = ("330106", "330302", "330402", "330602", "330781", "331002", "330282", "330226")
DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "肢体", "肢体", "智力", "精神", "多重")
GRADES = ("一级", "二级", "三级", "三级", "四级", "四级")
# (kind, weight): household compositions, weighted to a mean size near 2.8.
SHAPES = (
    ("elder_alone", 8),
    ("elder_couple", 13),
    ("single", 10),
    ("couple", 10),
    ("nuclear", 31),
    ("three_gen", 19),
    ("skipped_gen", 4),
    ("single_parent", 6),
)


@dataclass
class Member:
    name: str
    sex: str
    birth: dt.date
    relation: str
    tags: list[str] = field(default_factory=list)
    id_number: str = ""
    phone: str = ""

    @property
    def age(self) -> int:
        return TODAY.year - self.birth.year - ((TODAY.month, TODAY.day) < (self.birth.month, self.birth.day))


def county_villages(county: str) -> list[tuple[str, str]]:
    """(code, name) of the county's villages/communities, from the shipped table (no Django)."""
    from minzheng.divisions.codes import BUILTIN

    with gzip.open(BUILTIN, "rt", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        return [(c, n) for c, n in rows if c.startswith(county) and not c.endswith("000")]


class CountyGenerator:
    def __init__(self, *, seed: int, county: str, villages: list[tuple[str, str]]) -> None:
        if not villages:
            raise ValueError(f"区划 {county} 下没有村（社区）：请先导入该县的村级区划")
        self.rng = random.Random(seed)
        self.county = county[:6]
        self.villages = villages
        self.surnames = [s for s, _ in names.SURNAMES]
        self.surname_weights = [w for _, w in names.SURNAMES]
        self.sequence: dict[tuple[str, dt.date, int], int] = {}

    # --- people -----------------------------------------------------------
    def birth(self, low: int, high: int) -> dt.date:
        age_days = self.rng.randint(low * 365 + 1, high * 365 + 364)
        return TODAY - dt.timedelta(days=age_days)

    def given(self, sex: str, birth: dt.date) -> str:
        pool = (
            (names.GIVEN_OLD_M, names.GIVEN_OLD_F)
            if birth.year < 1965
            else (names.GIVEN_MID_M, names.GIVEN_MID_F)
            if birth.year < 2000
            else (names.GIVEN_NEW_M, names.GIVEN_NEW_F)
        )
        chars = pool[0] if sex == "M" else pool[1]
        text = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2, 2))))
        if self.rng.random() < 0.002:
            text = text[:-1] + self.rng.choice(names.RARE)
        return text

    def person(self, surname: str, sex: str, low: int, high: int, relation: str) -> Member:
        birth = self.birth(low, high)
        return Member(name=surname + self.given(sex, birth), sex=sex, birth=birth, relation=relation)

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def id_number(self, member: Member) -> str:
        area = self.county if self.rng.random() < 0.9 else self.rng.choice(OTHER_ZJ_CODES)
        while True:
            key = (area, member.birth, 1 if member.sex == "M" else 0)
            n = self.sequence.get(key, 0)
            if n < 500:
                break
            member.birth += dt.timedelta(days=1)  # 500 same-sex births on one day in one county: next day
        self.sequence[key] = n + 1
        # Spread the sequence so numbers do not all end in 000/001; crc32 keeps it seed-stable.
        slot = (zlib.crc32(f"{area}{member.birth}".encode()) + n) % 500
        first17 = f"{area}{member.birth:%Y%m%d}{slot * 2 + key[2]:03d}"
        return first17 + check_digit(first17)

    def phone(self, member: Member) -> str:
        if member.age < 14 or (member.age > 75 and self.rng.random() < 0.3):
            return ""
        if member.age >= 60 and self.rng.random() < 0.25:
            return f"0574-8{self.rng.randint(1000000, 9999999)}"
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999999999):09d}"

    # --- households -------------------------------------------------------
    def couple(self, surname: str, low: int, high: int) -> list[Member]:
        husband = self.person(surname, "M", low, high, "户主")
        wife = self.person(self.surname(), "F", max(18, low - 3), high, "配偶")
        return [husband, wife]

    def children(self, surname: str, parents_age: int, count: int) -> list[Member]:
        kids = []
        for _ in range(count):
            sex = self.rng.choice("MF")
            high = max(0, min(parents_age - 22, 30))  # adult children often stay in the 户
            kids.append(self.person(surname, sex, 0, high, "子" if sex == "M" else "女"))
        return kids

    def household(self) -> list[Member]:
        shape = self.rng.choices([s for s, _ in SHAPES], [w for _, w in SHAPES])[0]
        surname = self.surname()
        if shape == "elder_alone":
            member = self.person(surname, self.rng.choice("MF"), 62, 95, "户主")
            member.tags.append("独居老人")
            return [member]
        if shape == "elder_couple":
            return self.couple(surname, 60, 90)
        if shape == "single":
            return [self.person(surname, self.rng.choice("MMF"), 20, 55, "户主")]
        if shape == "couple":
            return self.couple(surname, 22, 66)
        if shape == "nuclear":
            parents = self.couple(surname, 26, 56)
            return parents + self.children(surname, parents[0].age, self.rng.choice((1, 1, 1, 2, 2)))
        if shape == "single_parent":
            parent = self.person(surname, self.rng.choice("MF"), 28, 50, "户主")
            return [parent, *self.children(surname, parent.age, self.rng.choice((1, 2)))]
        if shape == "skipped_gen":
            grand = self.couple(surname, 58, 78)
            kids = [self.person(surname, s, 3, 15, "孙子女") for s in self.rng.choices("MF", k=self.rng.choice((1, 2)))]
            for kid in kids:
                kid.tags.append("留守儿童")  # parents work away; grandparents hold the 户
            return grand + kids
        return self.three_generations(surname)

    def three_generations(self, surname: str) -> list[Member]:
        head, wife = self.couple(surname, 30, 50)
        elder = self.person(surname, self.rng.choice("MF"), head.age + 22, min(head.age + 38, 98), "父亲")
        if elder.sex == "F":
            elder.relation = "母亲"
        kids = self.children(surname, head.age, self.rng.choice((1, 1, 2)))
        return [head, wife, elder, *kids]

    def tag(self, members: list[Member]) -> None:
        """Disability, 失能 and assistance tags, at county-like rates."""
        for m in members:
            if self.rng.random() < (0.12 if m.age >= 60 else 0.04):
                m.tags.append(f"残疾:{self.rng.choice(DISABILITY_CATEGORIES)}{self.rng.choice(GRADES)}")
            if m.age >= 65 and self.rng.random() < 0.12:
                m.tags.append("失能:" + self.rng.choices(("轻度", "中度", "重度", "完全"), (6, 3, 2, 1))[0])
        roll = self.rng.random()
        status = "低保对象" if roll < 0.03 else "低保边缘" if roll < 0.04 else ""
        if len(members) == 1 and members[0].age >= 60 and self.rng.random() < 0.06:
            status = "特困人员"  # alone, no one to support them
        for m in members if status else []:
            m.tags.append(status)
        for m in members:
            if m.age < 18 and status and self.rng.random() < 0.05:
                m.tags.append(self.rng.choice(("困境儿童", "事实无人抚养儿童", "孤儿")))

    def address(self, index: int) -> tuple[str, str, str, str, str]:
        code, village = self.villages[self.rng.randrange(len(self.villages))]
        grid = f"第{self.rng.randint(1, 8)}网格"
        if village.endswith("社区"):
            return (
                code,
                grid,
                str(self.rng.randint(1, 40)),
                str(self.rng.randint(1, 4)),
                f"{self.rng.randint(1, 18)}{self.rng.randint(1, 4):02d}",
            )
        return code, grid, "", "", ""

    def rows(self, persons: int) -> Iterator[list[str]]:
        made, index = 0, 0
        while made < persons:
            index += 1
            members = self.household()[: persons - made]
            if members[0].relation != "户主":
                continue
            self.tag(members)
            address = self.address(index)
            household_no = f"{self.county}{index:08d}"
            for m in members:
                m.id_number, m.phone = self.id_number(m), self.phone(m)
                yield [m.name, m.id_number, household_no, m.relation, *address, m.phone, ";".join(m.tags)]
            made += len(members)


def write_residents_file(
    path: Path, *, persons: int, seed: int, county: str = "330212", villages: list[str] | None = None
) -> dict[str, int]:
    """Write `persons` residents to `path` (CSV, UTF-8 with BOM). Returns counts."""
    named = county_villages(county)
    if villages is not None:
        wanted = set(villages)
        named = [(c, n) for c, n in named if c in wanted] or [(c, c) for c in villages]
    generator = CountyGenerator(seed=seed, county=county, villages=named)
    path.parent.mkdir(parents=True, exist_ok=True)
    households, rows = set(), 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADERS)
        for row in generator.rows(persons):
            writer.writerow(row)
            households.add(row[2])
            rows += 1
    return {"persons": rows, "households": len(households)}
