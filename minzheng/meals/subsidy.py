"""The subsidy on one meal: a pure function over the elder's age and status and the parameters.

Rules (each amount a dated regional parameter, see data/params.yaml):
1. under `meals.min_age` → no subsidy;
2. lunch at or above `meals.free_lunch.min_age` (when not 0) → free (岚山: 75岁以上每天一顿免费午餐);
3. otherwise a daily allowance, `meals.subsidy.per_day` plus the status's `extra_per_day`, is spent
   meal by meal until used up (5 元/人/天: a 12-元 lunch costs the elder 7 元; a second meal that
   day gets nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minzheng.eldercare.money import yuan
from minzheng.meals.models import Meal

STATUS_LABELS = {"tekun": "特困人员", "dibao": "低保对象", "dibao_edge": "低保边缘家庭成员"}
STATUS_ORDER = ("tekun", "dibao", "dibao_edge")  # the highest applicable status counts, once


class ParamMissingError(LookupError):
    """A parameter has no value in force; the message names key, region and date."""


@dataclass(frozen=True)
class Basis:
    text: str
    key: str = ""
    region: str = ""
    effective_from: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "text": self.text,
            "key": self.key,
            "region": self.region,
            "from": self.effective_from,
            "value": self.value,
        }


@dataclass(frozen=True)
class Subsidy:
    price_fen: int
    subsidy_fen: int
    pay_fen: int
    basis: tuple[Basis, ...]


Resolve = Callable[[str, str, dt.date], Any]  # rules.selectors.param_resolve


def _param(resolve: Resolve, key: str, region: str, on: dt.date) -> tuple[Decimal, Basis]:
    found = resolve(key, region, on)
    if found is None:
        raise ParamMissingError(f"参数“{key}”在地区 {region} 于 {on.isoformat()} 没有生效的取值，请先导入助餐参数")
    where = found.region_code or "全国"
    value = Decimal(str(found.value))
    text = f"{key} = {value}{found.unit}（{where}，{found.effective_from.isoformat()} 起；{found.reference}）"
    return value, Basis(text, key, found.region_code, found.effective_from.isoformat(), str(value))


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def meal_subsidy(
    *,
    age: int,
    statuses: set[str],
    meal: str,
    price_fen: int,
    used_today_fen: int,
    region: str,
    on: dt.date,
    resolve: Resolve,
) -> Subsidy:
    """Subsidy of one meal; `used_today_fen` = allowance already spent on the elder's other meals that day."""
    min_age, basis = _param(resolve, "meals.min_age", region, on)
    if age < min_age:
        return Subsidy(price_fen, 0, price_fen, (Basis(f"{age} 岁，未满 {min_age} 周岁，不享受助餐补贴"), basis))
    if meal == Meal.LUNCH:
        free_age, free_basis = _param(resolve, "meals.free_lunch.min_age", region, on)
        if free_age and age >= free_age:
            text = f"{age} 岁，{free_age} 周岁以上免费午餐"
            return Subsidy(price_fen, price_fen, 0, (Basis(text), free_basis))
    per_day, day_basis = _param(resolve, "meals.subsidy.per_day", region, on)
    allowance, bases = fen(per_day), [day_basis]
    status = next((s for s in STATUS_ORDER if s in statuses), None)
    if status:
        extra, extra_basis = _param(resolve, f"meals.subsidy.extra_per_day.{status}", region, on)
        allowance += fen(extra)
        bases.append(extra_basis)
    left = max(0, allowance - used_today_fen)
    subsidy = min(price_fen, left)
    who = f"{STATUS_LABELS[status]}，" if status else ""
    text = (
        f"{age} 岁，{who}每日补贴 {yuan(allowance)} 元，当日已用 {yuan(used_today_fen)} 元，本餐补贴 {yuan(subsidy)} 元"
    )
    return Subsidy(price_fen, subsidy, price_fen - subsidy, (Basis(text), *bases))
