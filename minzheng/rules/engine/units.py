"""Units: money is fen internally; 元/万元 are converted once, when a parameter or literal enters.

A unit is a dimension (money, a count, months, days, hours, age, area, a ratio, a flag, text, a
date) plus, for flows, a period (元/月 vs 元/年). The checker refuses adding or comparing
different dimensions or periods, so a yearly 特困 standard cannot be compared with a monthly income
without `monthly(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "money"
RATIO = "ratio"
NUM = "num"  # a bare literal: takes the unit of whatever it meets
BOOL = "bool"
TEXT = "text"
DATE = "date"
COUNT = "count"
# Quantities a money rate can be multiplied by (元/天 × 天 = 元).
QUANTITIES = {"天", "月", "小时"}


@dataclass(frozen=True, slots=True)
class Unit:
    dim: str
    per: str | None = None
    label: str = ""  # display suffix: 元, 人, 辆, 平方米, 岁, 个月 …
    scale: int = 1  # for money: fen per unit of the declared value (元 = 100, 万元 = 1,000,000)

    def text(self) -> str:
        if self.dim == MONEY:
            return "元" + (f"/{self.per}" if self.per else "")
        if self.dim == NUM:
            return "数值"
        if self.per:
            return f"{self.label}/{self.per}"
        return self.label or {RATIO: "倍", BOOL: "是否", TEXT: "文本", DATE: "日期"}.get(self.dim, self.dim)

    def same_kind(self, other: Unit) -> bool:
        if NUM in (self.dim, other.dim):
            return True
        dimensionless = {RATIO, COUNT}
        if self.dim in dimensionless and other.dim in dimensionless:
            return True
        return self.dim == other.dim and self.per == other.per


_PERIODS = {
    "月": "月",
    "年": "年",
    "天": "天",
    "日": "天",
    "小时": "小时",
    "例": None,
    "人": None,
    "户": None,
    "次": None,
}
_COUNT_LABELS = {"人", "辆", "套", "户", "次", "项", "名"}


class UnitError(ValueError):
    pass


def parse_unit(text: str) -> Unit:
    """`元/人/月` → money per 月 (scale 100); `倍` → ratio; `个月` → months; `小时/月` → hours per 月."""
    raw = (text or "").strip()
    parts = [p for p in raw.split("/") if p]
    head, tail = (parts[0], parts[1:]) if parts else ("", [])
    periods = [_PERIODS[p] for p in tail if _PERIODS.get(p)]
    per = periods[-1] if periods else None
    if head in {"分", "元", "万元"}:
        return Unit(MONEY, per, "元", {"分": 1, "元": 100, "万元": 1_000_000}[head])
    simple = {
        "": Unit(RATIO, None, "倍"),
        "倍": Unit(RATIO, None, "倍"),
        "比例": Unit(RATIO, None, ""),
        "%": Unit(RATIO, None, "%"),
        "个月": Unit("月", per, "个月"),
        "月": Unit("月", per, "个月"),
        "天": Unit("天", per, "天"),
        "小时": Unit("小时", per, "小时"),
        "岁": Unit("岁", None, "岁"),
        "周岁": Unit("岁", None, "岁"),
        "级": Unit("级", None, "级"),
        "平方米": Unit("area", per, "平方米"),
        "是否": Unit(BOOL),
        "文本": Unit(TEXT),
        "日期": Unit(DATE),
    }
    if head in simple:
        return simple[head]
    if head in _COUNT_LABELS:
        return Unit(COUNT, per, head)
    raise UnitError(f"无法识别的单位“{raw}”")


LITERAL = Unit(NUM)
FLAG = Unit(BOOL)


def combine_add(a: Unit, b: Unit) -> Unit:
    if not a.same_kind(b):
        raise UnitError(f"单位不一致：{a.text()} 与 {b.text()}")
    return b if a.dim == NUM else a


def combine_mul(a: Unit, b: Unit) -> Unit:
    for x, y in ((a, b), (b, a)):
        if x.dim in {NUM, RATIO, COUNT}:
            return y if not (y.dim == NUM and x.dim != NUM) else x
    for x, y in ((a, b), (b, a)):
        if x.per and x.per == y.dim and y.per is None:
            return Unit(x.dim, None, x.label, x.scale)  # 元/天 × 天 = 元
        if x.per and x.per == y.dim and y.per:
            return Unit(x.dim, y.per, x.label, x.scale)  # 元/小时 × 小时/月 = 元/月
    raise UnitError(f"单位无法相乘：{a.text()} × {b.text()}")


def combine_div(a: Unit, b: Unit) -> Unit:
    if b.dim in {NUM, RATIO, COUNT}:
        return a
    if a.dim == b.dim and a.per == b.per:
        return Unit(RATIO, None, "倍")
    raise UnitError(f"单位无法相除：{a.text()} ÷ {b.text()}")


def money_to_fen(value: object, unit: Unit) -> int:
    """An exact declared money value (Decimal/int in 元 or 万元) → integer fen, refusing fractions of a fen."""
    from decimal import Decimal

    fen = Decimal(str(value)) * unit.scale
    if fen != fen.to_integral_value():
        raise UnitError(f"金额 {value} {unit.text()} 不是整分")
    return int(fen)
