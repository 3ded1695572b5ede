"""Department feed files (DATA_CONTRACTS §2) consistent with a generated county.

Reads the residents file back and writes one delivery per feed for one as-of
date, with the contract's exact headers. Deliberate mess, as real deliveries
have: some rows without an identity number, some with a wrong check digit,
some names written with a homophone; deaths of persons still registered,
vehicles, property and companies in low-income households, a public employee
on the rolls — so a verification run has something to find. The securities
feed carries 身份号码摘要 (HMAC-SM3) instead of raw numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import openpyxl

from minzheng.demo import names

DIGEST_KEY = b"minzheng-demo-hmac-key"  # agreed between the two offices; demo only

HEADERS: dict[str, list[str]] = {
    "hukou": ["公民身份号码", "姓名", "户号", "与户主关系", "户籍地区划代码", "户籍状态", "注销日期"],
    "vehicle": ["公民身份号码", "姓名", "号牌号码", "车辆类型", "初次登记日期", "车辆价值"],
    "cremation": ["公民身份号码", "姓名", "死亡日期", "火化日期"],
    "death": ["公民身份号码", "姓名", "死亡日期"],
    "marriage": ["男方身份号码", "女方身份号码", "登记类型", "登记日期"],
    "social_insurance": ["公民身份号码", "姓名", "单位名称", "缴费基数", "缴费年月"],
    "pension": ["公民身份号码", "姓名", "险种", "月发放金额", "发放年月"],
    "unemployment": ["公民身份号码", "姓名", "月发放金额", "发放年月"],
    "real_estate": ["权利人身份号码", "权利人姓名", "不动产单元号", "坐落", "建筑面积", "规划用途", "登记日期"],
    "enterprise": ["身份号码", "姓名", "统一社会信用代码", "企业名称", "角色", "认缴出资额(万元)", "登记状态"],
    "tax": ["身份号码", "姓名", "所得项目", "收入额", "税款所属期"],
    "housing_fund": ["身份号码", "姓名", "月缴存额", "缴存年月", "账户余额"],
    "public_payroll": ["身份号码", "姓名", "单位名称", "人员类别"],
    "deposit": ["身份号码", "姓名", "机构名称", "余额", "查询日期"],
    "securities": ["身份号码摘要", "姓名", "资产市值", "查询日期"],
    "medical": ["身份号码", "姓名", "结算日期", "医疗总费用", "统筹支付", "个人自付"],
    "disability": ["身份号码", "姓名", "残疾类别", "残疾等级"],
    "student": ["身份号码", "姓名", "学校名称", "学段", "在校状态"],
    "prison": ["身份号码", "姓名", "入监日期", "预计刑满日期"],
}
GB18030_FEEDS = {"hukou", "vehicle"}  # 公安 systems export GBK-family CSV
XLSX_FEEDS = {"real_estate"}


@dataclass
class Resident:
    name: str
    id_number: str
    household_no: str
    relation: str
    division: str
    tags: str
    age: int
    poor: bool


def digest(id_number: str) -> str:
    return hmac.new(DIGEST_KEY, id_number.encode(), "sm3").hexdigest()


def read_residents(path: Path, as_of: dt.date) -> list[Resident]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        born = dt.date(int(r["公民身份号码"][6:10]), int(r["公民身份号码"][10:12]), int(r["公民身份号码"][12:14]))
        age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        out.append(
            Resident(
                r["姓名"],
                r["公民身份号码"],
                r["户编号"],
                r["与户主关系"],
                r["现住址区划代码"],
                r["人员标签"],
                age,
                "低保" in r["人员标签"] or "特困" in r["人员标签"],
            )
        )
    return out


class FeedWriter:
    def __init__(self, residents: list[Resident], as_of: dt.date, seed: int) -> None:
        self.people = residents
        self.as_of = as_of
        self.rng = random.Random(seed + 1)
        self.adults = [p for p in residents if 18 <= p.age < 60]
        self.elders = [p for p in residents if p.age >= 60]

    def months(self) -> list[str]:
        """The six months before the as-of date, as YYYYMM."""
        out, y, m = [], self.as_of.year, self.as_of.month
        for _ in range(6):
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
            out.append(f"{y}{m:02d}")
        return sorted(out)

    def mess(self, p: Resident) -> tuple[str, str]:
        """The (number, name) a clerk typed: mostly right, sometimes missing, wrong or a homophone."""
        roll = self.rng.random()
        if roll < 0.02:
            return "", p.name
        if roll < 0.03:
            bad = p.id_number[:17] + ("0" if p.id_number[17] != "0" else "1")
            return bad, p.name
        if roll < 0.05:
            return p.id_number, "".join(names.HOMOPHONES.get(c, c) for c in p.name)
        return p.id_number, p.name

    def sample(self, pool: list[Resident], share: float, extra: list[Resident] | None = None) -> list[Resident]:
        chosen = [p for p in pool if self.rng.random() < share]
        return chosen + [p for p in (extra or []) if p not in chosen]

    def poor(self, share: float) -> list[Resident]:
        return [p for p in self.adults if p.poor and self.rng.random() < share]

    def day(self, back: int) -> str:
        return (self.as_of - dt.timedelta(days=self.rng.randint(1, back))).isoformat()

    def money(self, low: int, high: int) -> str:
        return f"{self.rng.randint(low * 100, high * 100) / 100:.2f}"

    # --- one method per feed: returns the data rows -----------------------------
    @cached_property
    def dead(self) -> list[Resident]:
        """About 4% of those 75+ died, plus a few 低保/特困 elders (still paid: what 温州 caught)."""
        old = [p for p in self.elders if p.age >= 75]
        chosen = [p for p in old if self.rng.random() < 0.04]
        poor = [p for p in self.elders if p.poor and p not in chosen]
        return chosen + self.rng.sample(poor, k=min(3, len(poor)))

    def deaths(self) -> list[Resident]:
        return self.dead

    def hukou(self) -> list[list[str]]:
        dead = {p.id_number: self.day(200) for p in self.deaths()[: len(self.deaths()) // 2]}
        rows = []
        for p in self.people:
            status, date = ("死亡注销", dead[p.id_number]) if p.id_number in dead else ("正常", "")
            rows.append([p.id_number, p.name, p.household_no, p.relation, p.division, status, date])
        return rows

    def death(self) -> list[list[str]]:
        return [[*self.mess(p), self.day(300)] for p in self.deaths()]

    def cremation(self) -> list[list[str]]:
        rows = []
        for p in self.deaths():
            died = self.day(300)
            rows.append([*self.mess(p), died, (dt.date.fromisoformat(died) + dt.timedelta(days=3)).isoformat()])
        return rows

    def vehicle(self) -> list[list[str]]:
        types = ("小型轿车", "小型普通客车", "轻型货车", "二轮摩托车")
        return [
            [
                *self.mess(p),
                f"浙B{self.rng.choice('ABCDEFGHJK')}{self.rng.randint(10000, 99999)}",
                self.rng.choice(types),
                self.day(3650),
                self.money(8000, 260000),
            ]
            for p in self.sample(self.adults, 0.25, self.poor(0.08))
        ]

    def marriage(self) -> list[list[str]]:
        rows = []
        by_household: dict[str, list[Resident]] = {}
        for p in self.people:
            by_household.setdefault(p.household_no, []).append(p)
        for members in by_household.values():
            pair = [m for m in members if m.relation in ("户主", "配偶")]
            if len(pair) == 2 and pair[0].age < 40 and self.rng.random() < 0.2:
                male, female = sorted(pair, key=lambda m: int(m.id_number[16]) % 2, reverse=True)
                rows.append([male.id_number, female.id_number, "结婚", self.day(3000)])
        return rows

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
            rows += [[p.id_number, p.name, kind, amount, month] for month in self.months()]
        return rows

    def unemployment(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.01):
            rows += [[p.id_number, p.name, "1827.00", month] for month in self.months()[-3:]]
        return rows

    def real_estate(self) -> list[list[str]]:
        heads = [p for p in self.people if p.relation == "户主" and p.age >= 25]
        return [
            [
                *self.mess(p),
                f"330212{self.rng.randint(10**12, 10**13 - 1)}",
                f"鄞州区某路{self.rng.randint(1, 999)}号",
                f"{self.rng.randint(4000, 16000) / 100:.2f}",
                self.rng.choice(("住宅", "住宅", "商业")),
                self.day(7000),
            ]
            for p in self.sample(heads, 0.55, [p for p in heads if p.poor][:5])
        ]

    def enterprise(self) -> list[list[str]]:
        roles = ("法定代表人", "投资人", "董事", "监事", "个体工商户经营者")
        return [
            [
                *self.mess(p),
                f"91330212MA{self.rng.randint(10**6, 10**7 - 1)}X",
                f"宁波鄞州{p.name[0]}氏商贸有限公司",
                self.rng.choice(roles),
                f"{self.rng.choice((1, 3, 5, 10, 30, 50, 100))}",
                "存续",
            ]
            for p in self.sample(self.adults, 0.03, self.poor(0.04))
        ]

    def tax(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.adults, 0.3):
            income = self.money(3000, 25000)
            rows += [[p.id_number, p.name, "工资薪金所得", income, f"{m[:4]}-{m[4:]}"] for m in self.months()]
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
        kinds = ("公务员", "参照公务员法管理人员", "事业编制人员", "离退休人员")
        return [
            [*self.mess(p), self.rng.choice(names.EMPLOYERS[:6]), self.rng.choice(kinds)]
            for p in self.sample(self.adults, 0.02, self.poor(0.02))
        ]

    def deposit(self) -> list[list[str]]:
        return [
            [*self.mess(p), self.rng.choice(names.BANKS), self.money(100, 300000), self.as_of.isoformat()]
            for p in self.sample(self.adults + self.elders, 0.35)
        ]

    def securities(self) -> list[list[str]]:
        return [
            [digest(p.id_number), p.name, self.money(1000, 500000), self.as_of.isoformat()]
            for p in self.sample(self.adults, 0.05)
        ]

    def medical(self) -> list[list[str]]:
        rows = []
        for p in self.sample(self.people, 0.1):
            total = self.rng.randint(20000, 5000000)
            pooled = total * self.rng.randint(40, 80) // 100
            rows.append(
                [
                    p.id_number,
                    p.name,
                    self.day(365),
                    f"{total / 100:.2f}",
                    f"{pooled / 100:.2f}",
                    f"{(total - pooled) / 100:.2f}",
                ]
            )
        return rows

    def disability(self) -> list[list[str]]:
        rows = []
        for p in self.people:
            for tag in p.tags.split(";"):
                if tag.startswith("残疾:"):
                    rows.append([*self.mess(p), tag[3:5], tag[5:]])
        return rows

    def student(self) -> list[list[str]]:
        rows = []
        for p in self.people:
            stage = next(
                (
                    s
                    for s, (lo, hi) in (("小学", (6, 11)), ("初中", (12, 14)), ("高中", (15, 17)), ("本科", (18, 22)))
                    if lo <= p.age <= hi
                ),
                None,
            )
            if stage and (stage != "本科" or self.rng.random() < 0.5):
                rows.append([p.id_number, p.name, names.SCHOOLS[stage], stage, "在校"])
        return rows

    def prison(self) -> list[list[str]]:
        return [
            [*self.mess(p), self.day(1500), (self.as_of + dt.timedelta(days=self.rng.randint(30, 2000))).isoformat()]
            for p in self.sample([p for p in self.adults if p.age < 50], 0.002, self.poor(0.01)[:1])
        ]


def _write(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> None:
    if path.suffix == ".xlsx":
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("数据")
        for row in [headers, *rows]:
            ws.append(row)  # every value is a str: identity numbers stay text
        wb.save(path)
        return
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)


def write_feeds(
    residents_csv: Path, out_dir: Path, *, as_of: dt.date, seed: int, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Write every feed of DATA_CONTRACTS §2 for `as_of`; returns rows per feed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = FeedWriter(read_residents(residents_csv, as_of), as_of, seed)
    written = {}
    for feed_id, headers in HEADERS.items():
        rows = getattr(writer, feed_id)()
        suffix = ".xlsx" if feed_id in XLSX_FEEDS else ".csv"
        encoding = "gb18030" if feed_id in GB18030_FEEDS else "utf-8-sig"
        _write(out_dir / f"{feed_id}_{as_of.isoformat()}{suffix}", headers, rows, encoding)
        written[feed_id] = len(rows)
        if progress:
            progress(feed_id)
    (out_dir / "README.txt").write_text(_readme(as_of), encoding="utf-8")
    return written


def _readme(as_of: dt.date) -> str:
    return (
        f"演示部门核对数据，数据时点 {as_of.isoformat()}，格式见 DATA_CONTRACTS §2。\n"
        "hukou、vehicle 为 GB18030 编码 CSV；real_estate 为 XLSX；其余为带 BOM 的 UTF-8 CSV。\n"
        f"securities 以“身份号码摘要”代替身份号码：HMAC-SM3（密钥 {DIGEST_KEY.decode()}），小写十六进制。\n"
        "约 2% 的行缺身份号码，1% 校验位错误，2% 姓名为同音字，用于演示姓名+出生日期+住址匹配。\n"
    )
