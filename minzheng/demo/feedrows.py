"""The rows of each department feed (DATA_CONTRACTS §2), drawn from the generated residents.

Consistent with the registry where a real department would be, and messy
where real deliveries are: some rows without an identity number, with a wrong
check digit, an old 15-digit number or stray spaces; some names written with
a homophone. Deaths carry one date across the 死亡医学证明, 火化 and 户籍
feeds; some low-income households own vehicles, property or companies, or draw
a public salary, so a verification run has something to find.
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
from dataclasses import dataclass
from functools import cached_property

from stdnum.cn import uscc

from minzheng.demo import names

PLATES = {"3301": "浙A", "3302": "浙B", "3303": "浙C", "3304": "浙F", "3305": "浙E", "3306": "浙D", "3307": "浙G"}
INDUSTRIES = ("商贸", "五金", "电器", "服饰", "建材", "餐饮管理", "科技", "水产", "汽车配件", "文具")
SHOP_WORDS = "鑫隆盛兴旺达丰源泰顺华恒"
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 统一社会信用代码 characters (GB 32100-2015)
DIGEST_KEY = b"minzheng-demo-hmac-key"  # agreed between the two offices; demo only, printed in the README


@dataclass(slots=True)
class Resident:
    name: str
    id_number: str
    household_no: str
    relation: str
    division: str
    building: str
    room: str
    tags: str
    age: int
    poor: bool


@dataclass(slots=True)
class Death:
    person: Resident
    died: dt.date


def digest(id_number: str) -> str:
    """身份号码摘要: HMAC-SM3 of the normalised 18-digit number, lower-case hex (DATA_CONTRACTS §2)."""
    return hmac.new(DIGEST_KEY, id_number.encode(), "sm3").hexdigest()


def org_code(body8: str) -> str:
    """组织机构代码 (GB 11714-1997): eight characters and a check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


class FeedRows:
    def __init__(self, residents: list[Resident], as_of: dt.date, seed: int, places: dict[str, str]) -> None:
        self.people = residents
        self.as_of = as_of
        self.rng = random.Random(seed + 1)
        self.places = places  # division code → name
        self.county = residents[0].household_no[:6] if residents else "330212"
        self.county_name = places.get(self.county.ljust(12, "0"), "")
        self.adults = [p for p in residents if 18 <= p.age < 60]
        self.elders = [p for p in residents if p.age >= 60]

    # --- helpers ----------------------------------------------------------------
    def months(self, until: dt.date | None = None) -> list[str]:
        """The six months before the as-of date (YYYYMM), stopping at `until`'s month."""
        out, y, m = [], self.as_of.year, self.as_of.month
        for _ in range(6):
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
            out.append(f"{y}{m:02d}")
        last = f"{until:%Y%m}" if until else "999999"
        return sorted(month for month in out if month <= last)

    def mess(self, p: Resident) -> tuple[str, str]:
        """The (number, name) a clerk typed: mostly right, sometimes missing, wrong, old-style or misheard."""
        roll = self.rng.random()
        number = p.id_number
        if roll < 0.02:
            return "", p.name
        if roll < 0.03:
            return number[:17] + ("0" if number[17] != "0" else "1"), p.name  # wrong check digit
        if roll < 0.035 and number[6:8] == "19":
            return number[:6] + number[8:17], p.name  # a 15-digit number from an old system
        if roll < 0.04:
            return f" {number[:6]} {number[6:14]} {number[14:]}".lower(), p.name  # spaces, lower-case x
        if roll < 0.06:
            return number, names.homophone(p.name)
        return number, p.name

    def sample(self, pool: list[Resident], share: float, extra: list[Resident] | None = None) -> list[Resident]:
        chosen = [p for p in pool if self.rng.random() < share]
        seen = {p.id_number for p in chosen}
        return chosen + [p for p in extra or [] if p.id_number not in seen]

    def poor(self, share: float, pool: list[Resident] | None = None) -> list[Resident]:
        return [p for p in (self.adults if pool is None else pool) if p.poor and self.rng.random() < share]

    def day(self, back: int, low: int = 1) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, max(low, back)))

    def since_adult(self, p: Resident, back: int) -> dt.date:
        """A date in the last `back` days, but after `p` turned 18 (a registration in their own name)."""
        return self.day(min(back, (p.age - 18) * 365 + 30))

    def money(self, low: int, high: int) -> str:
        """元 with two decimals, drawn in whole fen (never float arithmetic on money)."""
        fen = self.rng.randint(low * 100, high * 100)
        return f"{fen // 100}.{fen % 100:02d}"

    def place(self, p: Resident) -> str:
        town = self.places.get(p.division[:9] + "000", "")
        village = self.places.get(p.division, "")
        if p.building:
            return f"{town}{village}{p.building}幢{p.room}室"
        return f"{town}{village}{self.rng.randint(1, 300)}号"

    # --- deaths -----------------------------------------------------------------
    @cached_property
    def deaths(self) -> list[Death]:
        """Elders who died in the last ~11 months — still registered, some still on 低保/特困 rolls."""
        rate = {60: 0.012, 75: 0.045, 85: 0.11}
        dead = [p for p in self.elders if self.rng.random() < rate[85 if p.age >= 85 else 75 if p.age >= 75 else 60]]
        seen = {p.id_number for p in dead}
        poor = [p for p in self.elders if p.poor and p.id_number not in seen]
        dead += self.rng.sample(poor, k=min(3, len(poor)))
        return [Death(p, self.day(330, low=10)) for p in dead]

    @cached_property
    def died(self) -> dict[str, dt.date]:
        return {d.person.id_number: d.died for d in self.deaths}

    def hukou(self) -> list[list[str]]:
        cancelled = {}
        for d in self.deaths:
            when = d.died + dt.timedelta(days=self.rng.randint(5, 60))
            if when < self.as_of and self.rng.random() < 0.7:  # the rest are not cancelled yet
                cancelled[d.person.id_number] = ("死亡注销", when.isoformat())
        for p in self.sample(self.adults, 0.003):  # moved away; the village register still lists them
            cancelled.setdefault(p.id_number, ("迁出注销", self.day(300).isoformat()))
        return [
            [p.id_number, p.name, p.household_no, p.relation, p.division, *cancelled.get(p.id_number, ("正常", ""))]
            for p in self.people
        ]

    def death(self) -> list[list[str]]:
        return [[*self.mess(d.person), d.died.isoformat()] for d in self.deaths if self.rng.random() < 0.95]

    def cremation(self) -> list[list[str]]:
        rows = []
        for d in self.deaths:
            if self.rng.random() < 0.9:
                burnt = min(d.died + dt.timedelta(days=self.rng.randint(1, 4)), self.as_of - dt.timedelta(days=1))
                rows.append([*self.mess(d.person), d.died.isoformat(), burnt.isoformat()])
        return rows

    # --- assets and income ------------------------------------------------------
    def vehicle(self) -> list[list[str]]:
        plate, types = PLATES.get(self.county[:4], "浙B"), ("小型轿车", "小型普通客车", "轻型货车", "二轮摩托车")
        return [
            [
                *self.mess(p),
                f"{plate}{self.rng.choice('ABCDEFGHJK')}{self.rng.randint(10000, 99999)}",
                self.rng.choice(types),
                self.since_adult(p, 3650).isoformat(),
                self.money(8000, 260000),
            ]
            for p in self.sample(self.adults, 0.25, self.poor(0.08))
        ]

    def real_estate(self) -> list[list[str]]:
        """Most 户主 own their home; some low-income 户主 also own a second, commercial unit."""
        heads = [p for p in self.people if p.relation == "户主" and p.age >= 25]
        rows = []
        for p in self.sample(heads, 0.55, self.poor(0.1, heads)):
            rows.append(self.property(p, self.rng.choice(("住宅", "住宅", "住宅", "商业"))))
            if p.poor and self.rng.random() < 0.5:
                rows.append(self.property(p, "商业"))
        return rows

    def property(self, p: Resident, use: str) -> list[str]:
        area = f"{self.rng.randint(4000, 16000) / 100:.2f}"  # m², not money
        return [*self.mess(p), self.property_unit(p), self.place(p), area, use, self.since_adult(p, 7000).isoformat()]

    def property_unit(self, p: Resident) -> str:
        """不动产单元号 (GB/T 37346): 地籍区/子区 from the address, 宗地 GB (国有) or JC (集体), 房屋 F."""
        land = "GB" if p.building else "JC"
        return f"{p.division}{land}{self.rng.randint(1, 99999):05d}F{self.rng.randint(1, 9999):04d}{1:04d}"

    def enterprise(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.03, self.poor(0.04)):
            shop = self.rng.random() < 0.35  # 个体工商户
            body = "".join(self.rng.choice(ORG_CHARS) for _ in range(8))
            code17 = ("92" if shop else "91") + self.county + org_code(body)
            code = code17 + uscc.calc_check_digit(code17)
            status = self.rng.choices(("存续", "在业", "注销", "吊销"), (70, 15, 10, 5))[0]
            rows.append([*self.mess(p), code, *self.firm(p, shop), status])
        return rows

    def firm(self, p: Resident, shop: bool) -> tuple[str, str, str]:
        """(企业名称, 角色, 认缴出资额 in 万元)."""
        trade = self.rng.choice(INDUSTRIES)
        if shop:
            return f"{self.county_name}{p.name}{trade}店", "个体工商户经营者", self.rng.choice(("3", "5", "10"))
        brand = "".join(self.rng.sample(SHOP_WORDS, 2))
        role = self.rng.choice(("法定代表人", "投资人", "董事", "监事", "高级管理人员"))
        return f"宁波{brand}{trade}有限公司", role, self.rng.choice(("10", "30", "50", "100", "500", "12.5"))

    def social_insurance(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.45, self.poor(0.05)):
            number, name = self.mess(p)
            employer, base = self.rng.choice(names.EMPLOYERS), self.rng.randint(4462, 20000)
            rows += [[number, name, employer, f"{base}.00", month] for month in self.months()]
        return rows

    def pension(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.elders, 0.85):
            kind = self.rng.choice(("城乡居民基本养老保险", "城镇职工基本养老保险"))
            amount = self.money(280, 500) if kind.startswith("城乡") else self.money(2500, 6500)
            months = self.months(until=self.died.get(p.id_number))  # stops with the month of death
            rows += [[p.id_number, p.name, kind, amount, month] for month in months]
        return rows

    def unemployment(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.01, self.poor(0.02)):
            since = self.rng.randint(1, 6)
            rows += [[p.id_number, p.name, "1827.00", month] for month in self.months()[-since:]]
        return rows

    def tax(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.3):
            item = self.rng.choices(("工资薪金所得", "经营所得", "劳务报酬所得"), (85, 10, 5))[0]
            income = self.money(3000, 25000)
            rows += [[p.id_number, p.name, item, income, f"{m[:4]}-{m[4:]}"] for m in self.months()]
        return rows

    def housing_fund(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.25):
            monthly, balance = self.rng.randint(300, 3000), self.rng.randint(1000, 200000)
            rows += [
                [p.id_number, p.name, f"{monthly}.00", m, f"{balance + i * monthly}.00"]
                for i, m in enumerate(self.months())
            ]
        return rows

    def public_payroll(self) -> list[list[str]]:
        kinds = ("公务员", "参照公务员法管理人员", "事业编制人员")
        staff = [
            [*self.mess(p), self.rng.choice(names.PUBLIC_EMPLOYERS), self.rng.choice(kinds)]
            for p in self.sample(self.adults, 0.02, self.poor(0.02))
        ]
        retired = [
            [*self.mess(p), self.rng.choice(names.PUBLIC_EMPLOYERS), "离退休人员"]
            for p in self.sample(self.elders, 0.03, self.poor(0.01, self.elders))
        ]
        return staff + retired

    def deposit(self) -> list[list[str]]:
        rows = [
            [*self.mess(p), self.rng.choice(names.BANKS), self.money(100, 300000), self.as_of.isoformat()]
            for p in self.sample(self.adults + self.elders, 0.35)
        ]
        for p in self.poor(0.03, self.adults + self.elders):  # savings a 低保 application did not declare
            rows.append(
                [*self.mess(p), self.rng.choice(names.BANKS), self.money(80000, 400000), self.as_of.isoformat()]
            )
        return rows

    def securities(self) -> list[list[str]]:
        """Delivered with 身份号码摘要 instead of numbers: this department will not hand them over."""
        return [
            [digest(p.id_number), p.name, self.money(1000, 500000), self.as_of.isoformat()]
            for p in self.sample(self.adults, 0.05, self.poor(0.01))
        ]

    def medical(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.people, 0.08, self.sample(self.elders, 0.1)):
            total = self.rng.randint(20000, 5000000)  # fen
            pooled = total * self.rng.randint(40, 80) // 100
            rows.append(
                [p.id_number, p.name, self.day(365).isoformat(), *(_yuan(f) for f in (total, pooled, total - pooled))]
            )
        return rows

    def wedding_day(self, male: Resident, female: Resident) -> dt.date | None:
        """A day at or after the legal age (男 22, 女 20: 民法典 第一千零四十七条) and at least 400 days ago."""
        born_m, born_f = _born(male), _born(female)
        earliest = max(
            born_m.replace(year=born_m.year + 22, day=min(born_m.day, 28)),
            born_f.replace(year=born_f.year + 20, day=min(born_f.day, 28)),
        )
        back = (self.as_of - earliest).days
        return self.day(min(back, 3000), low=400) if back > 400 else None

    # --- status registers ------------------------------------------------------
    def disability(self) -> list[list[str]]:
        """Certificates: most registered disabilities, a few lapsed, a few new ones the register lacks."""
        rows = []
        for p in self.people:
            tag = next((t for t in p.tags.split(";") if t.startswith("残疾:")), "")
            if tag and self.rng.random() < 0.95:
                rows.append([*self.mess(p), tag[3:5], tag[5:]])
            elif not tag and self.rng.random() < 0.003:
                rows.append(
                    [*self.mess(p), self.rng.choice(("肢体", "听力", "视力")), self.rng.choice(("三级", "四级"))]
                )
        return rows

    def student(self) -> list[list[str]]:
        rows = []
        for p in self.people:
            stage = next((s for s, lo, hi in STAGES if lo <= p.age <= hi), None)
            if stage and (stage != "本科" or self.rng.random() < 0.5):
                status = "休学" if self.rng.random() < 0.01 else "在校"
                rows.append([p.id_number, p.name, names.SCHOOLS[stage], stage, status])
        return rows

    def prison(self) -> list[list[str]]:
        young = [p for p in self.adults if p.age < 50]
        return [
            [
                *self.mess(p),
                self.day(1500).isoformat(),
                (self.as_of + dt.timedelta(days=self.rng.randint(30, 2000))).isoformat(),
            ]
            for p in self.sample(young, 0.002, self.poor(0.01, young)[:1])
        ]

    def marriage(self) -> list[list[str]]:
        """Recent weddings of young couples, and divorces the register still shows as 配偶."""
        rows = []
        by_household: dict[str, list[Resident]] = {}
        for p in self.people:
            by_household.setdefault(p.household_no, []).append(p)
        for members in by_household.values():
            pair = [m for m in members if m.relation in ("户主", "配偶")]
            if len(pair) != 2:
                continue
            male, female = sorted(pair, key=lambda m: int(m.id_number[16]) % 2, reverse=True)
            wed = self.wedding_day(male, female)
            if wed and pair[0].age < 40 and self.rng.random() < 0.2:
                rows.append([male.id_number, female.id_number, "结婚", wed.isoformat()])
            if wed and self.rng.random() < 0.01:
                rows.append(
                    [male.id_number, female.id_number, "离婚", self.day((self.as_of - wed).days - 30).isoformat()]
                )
        return rows


def _born(p: Resident) -> dt.date:
    return dt.date(int(p.id_number[6:10]), int(p.id_number[10:12]), int(p.id_number[12:14]))


STAGES = (("小学", 6, 11), ("初中", 12, 14), ("高中", 15, 17), ("本科", 18, 22))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
