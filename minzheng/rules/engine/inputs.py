"""The engine's input tables, exactly: `persons` and `households` (Arrow or Polars).

Every column below has an English column name (what r2 builds from the registry and from the
verification results, `docs/notes/verification-contract.md`) and a Chinese name (what policy files
and scenario tests write). Money is integer fen; monthly income is the 6-month average the
verification computes. Optional columns may be absent: they take their default.

persons (one row per person):
| column | Chinese name | type | unit / values |
| --- | --- | --- | --- |
| person_id | — | string | required, unique |
| household_id | — | string | required, a households.household_id |
| region_code | — | string | 12-digit 统计用区划代码 of the address (村/社区) |
| birth_date | 出生日期 | date | required; 年龄 = full years at the as-of date |
| sex | 性别 | string | M / F (写作 男 / 女) |
| relation | 与户主关系 | string | GB/T 4761: 02 户主 10 配偶 20 子 30 女 40 孙子女 51/52 父母 70 兄弟姐妹 80 其他 |
| disability_category | 残疾类别 | string | 视力 听力 言语 肢体 智力 精神 多重, "" = none |
| disability_grade | 残疾等级 | int8 | 1–4 (一级…四级), 0 = none |
| incapacity_level | 失能等级 | int8 | GB/T 42195: 0 能力完好, 1 轻度, 2 中度, 3 重度, 4 完全失能 |
| is_orphan … is_empty_nest_elder | 孤儿 事实无人抚养儿童 困境儿童 监护缺失 | bool | registry tags |
|  | 留守儿童 独居老人 空巢老人 | bool | (监护缺失: recorded by the 儿童主任) |
| no_legal_supporter | 无法定义务人 | bool | no 法定赡养/抚养/扶养义务人, or none able to support |
| income_wage_fen … income_other_fen | 工资性收入, 养老金收入, 失业金收入, 其他收入 | int64 | 分/月 |
| deposits_fen, securities_fen | 存款, 有价证券 | int64 | 分 |
| vehicle_count, vehicle_value_fen | 车辆数, 车辆价值 | int64 | 辆, 分 |
| real_estate_count, real_estate_area_m2 | 房产套数, 房产面积 | int64, float64 | 套, 平方米 |
| enterprise_capital_fen | 企业认缴出资 | int64 | 分 |
| died_on | 死亡日期 | date | null = alive |
| public_payroll, prison, student | 财政供养, 服刑, 在校生 | bool | verification flags |
| father_situation, | 父亲情形, | string | 死亡 宣告失踪 重残 重病 服刑 强制隔离戒毒 失联 遣送出境 |
| mother_situation | 母亲情形 | | 外出务工 在家; "" = 未登记 (from the child file, `children`) |
| father_since, mother_since | 父亲情形日期, 母亲情形日期 | date | since when (失联 counts months from it) |
| family_assisted | 低保特困家庭 | bool | the child's family receives 低保 or 特困 (困境儿童: 家庭贫困) |
| medical_self_pay_fen | 医疗自付费用 | int64 | 分/年, policy-scope self-paid medical costs, last 12 months |
| rigid_expense_fen | 刚性支出 | int64 | 分/年, medical + education + rehabilitation spending, last 12 months |
| burial_type | 安葬方式 | string | 草坪葬 海葬 树葬 花坛葬 … "" = none |
| cremated_on | 火化日期 | date | null = not cremated (or not known): the funeral app's cremation record |
| meal_days | 助餐天数 | int64 | 天/月, meals taken at a 老年食堂 this month |
| care_home_days, month_days | 在院天数, 当月天数 | int64 | days in a care institution this month; days of the month |
| care_home_kind | 机构性质 | string | 公办 公建民营 民办 (the institution's kind) |
| enrolled | — | list[string] | policy ids this person receives (for 应享未享 / 不应享而享) |

households (one row per household):
| household_id | — | string | required |
| region_code | — | string | 12-digit division code; parameters resolve from it |
| emergency_event | 遭遇急难 | bool | 突发事件、意外伤害、重大疾病 reported this month |
| emergency_loss_fen | 急难损失 | int64 | 分, the loss or cost the household must bear |
| disaster_house_damage | 住房倒损 | string | 倒塌 严重损坏 一般损坏 "" (disaster: the household's relief claim) |
| disaster_no_livelihood | 灾后无生活来源 | bool | |
| disaster_transition_persons, disaster_winter_persons | 过渡期救助人数, 冬春救助人数 | int64 | 人 |
| disaster_winter_hardship | 冬春生活困难 | bool | 口粮、衣被、取暖有困难 |
| enrolled | — | list[string] | household policy ids received |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from minzheng.rules.engine.units import Unit, parse_unit


@dataclass(frozen=True, slots=True)
class InputField:
    column: str
    label: str  # Chinese identifier used in policy expressions and scenario tests
    entity: str  # "person" | "household"
    dtype: pl.DataType
    unit: Unit
    default: Any = None
    choices: dict[str, Any] = field(default_factory=dict)  # label → stored value
    # A source may leave this value unknown (null): a department feed or a caseworker fills it.
    # Unknown is never read as the default; conditions over it are unknown (three-valued logic).
    unknowable: bool = False


def _f(
    column: str, label: str, entity: str, dtype: pl.DataType, unit: str, default: Any = None, **choices: Any
) -> InputField:
    return InputField(column, label, entity, dtype, parse_unit(unit), default, dict(choices))


def _u(column: str, label: str, entity: str, dtype: pl.DataType, unit: str, default: Any = None) -> InputField:
    """A field a source may leave unknown: null in a supplied column stays null (not the default)."""
    return InputField(column, label, entity, dtype, parse_unit(unit), default, {}, unknowable=True)


_RELATIONS = {
    "户主": "02",
    "本人": "02",
    "配偶": "10",
    "子": "20",
    "女": "30",
    "孙子女": "40",
    "父亲": "51",
    "母亲": "52",
    "兄弟姐妹": "70",
    "儿媳": "38",
    "女婿": "28",
    "其他": "80",
}
_GRADES = {"无": 0, "一级": 1, "二级": 2, "三级": 3, "四级": 4}
_LEVELS = {
    "能力完好": 0,
    "轻度": 1,
    "中度": 2,
    "重度": 3,
    "完全": 4,
    "轻度失能": 1,
    "中度失能": 2,
    "重度失能": 3,
    "完全失能": 4,
}

PERSON_FIELDS: list[InputField] = [
    _f("birth_date", "出生日期", "person", pl.Date(), "日期"),
    _f("sex", "性别", "person", pl.String(), "文本", "M", 男="M", 女="F"),
    _f("relation", "与户主关系", "person", pl.String(), "文本", "80", **_RELATIONS),
    _f("disability_category", "残疾类别", "person", pl.String(), "文本", ""),
    _f("disability_grade", "残疾等级", "person", pl.Int8(), "级", 0, **_GRADES),
    _f("incapacity_level", "失能等级", "person", pl.Int8(), "级", 0, **_LEVELS),
    _f("is_orphan", "孤儿", "person", pl.Boolean(), "是否", False),
    _f("is_unsupported_child", "事实无人抚养儿童", "person", pl.Boolean(), "是否", False),
    _f("is_distressed_child", "困境儿童", "person", pl.Boolean(), "是否", False),
    _u("guardian_missing", "监护缺失", "person", pl.Boolean(), "是否", False),
    _f("is_left_behind_child", "留守儿童", "person", pl.Boolean(), "是否", False),
    _f("is_living_alone_elder", "独居老人", "person", pl.Boolean(), "是否", False),
    _f("is_empty_nest_elder", "空巢老人", "person", pl.Boolean(), "是否", False),
    _u("no_legal_supporter", "无法定义务人", "person", pl.Boolean(), "是否", False),
    _u("income_wage_fen", "工资性收入", "person", pl.Int64(), "分/月", 0),
    _u("income_pension_fen", "养老金收入", "person", pl.Int64(), "分/月", 0),
    _u("income_unemployment_fen", "失业金收入", "person", pl.Int64(), "分/月", 0),
    _u("income_other_fen", "其他收入", "person", pl.Int64(), "分/月", 0),
    _u("deposits_fen", "存款", "person", pl.Int64(), "分", 0),
    _u("securities_fen", "有价证券", "person", pl.Int64(), "分", 0),
    _u("vehicle_count", "车辆数", "person", pl.Int64(), "辆", 0),
    _u("vehicle_value_fen", "车辆价值", "person", pl.Int64(), "分", 0),
    _u("real_estate_count", "房产套数", "person", pl.Int64(), "套", 0),
    _u("real_estate_area_m2", "房产面积", "person", pl.Float64(), "平方米", 0.0),
    _u("enterprise_capital_fen", "企业认缴出资", "person", pl.Int64(), "分", 0),
    _f("died_on", "死亡日期", "person", pl.Date(), "日期"),
    _u("public_payroll", "财政供养", "person", pl.Boolean(), "是否", False),
    _u("prison", "服刑", "person", pl.Boolean(), "是否", False),
    _u("student", "在校生", "person", pl.Boolean(), "是否", False),
    # A child's parents (the child file, `children.categories`); absent columns: "" = none recorded.
    _u("father_situation", "父亲情形", "person", pl.String(), "文本", ""),
    _u("mother_situation", "母亲情形", "person", pl.String(), "文本", ""),
    _u("father_since", "父亲情形日期", "person", pl.Date(), "日期"),
    _u("mother_since", "母亲情形日期", "person", pl.Date(), "日期"),
    _u("family_assisted", "低保特困家庭", "person", pl.Boolean(), "是否", False),
    _u("medical_self_pay_fen", "医疗自付费用", "person", pl.Int64(), "分/年", 0),
    _u("rigid_expense_fen", "刚性支出", "person", pl.Int64(), "分/年", 0),
    _u("burial_type", "安葬方式", "person", pl.String(), "文本", ""),
    _f("cremated_on", "火化日期", "person", pl.Date(), "日期"),  # funeral: the cremation record (inputs_db)
    _u("meal_days", "助餐天数", "person", pl.Int64(), "天/月", 0),
    # A care-home resident's month (institutions.subsidy): days in residence, days of the month, operator kind.
    _u("care_home_days", "在院天数", "person", pl.Int64(), "天/月", 0),
    _u("month_days", "当月天数", "person", pl.Int64(), "天/月", 0),
    _u("care_home_kind", "机构性质", "person", pl.String(), "文本", ""),
]

HOUSEHOLD_FIELDS: list[InputField] = [
    _u("emergency_event", "遭遇急难", "household", pl.Boolean(), "是否", False),
    _u("emergency_loss_fen", "急难损失", "household", pl.Int64(), "分", 0),
    # 灾害救助 (disaster app, its relief claim for the household): GB/T 24438.1 house damage words.
    _u("disaster_house_damage", "住房倒损", "household", pl.String(), "文本", ""),
    _u("disaster_no_livelihood", "灾后无生活来源", "household", pl.Boolean(), "是否", False),
    _u("disaster_transition_persons", "过渡期救助人数", "household", pl.Int64(), "人", 0),
    _u("disaster_winter_hardship", "冬春生活困难", "household", pl.Boolean(), "是否", False),
    _u("disaster_winter_persons", "冬春救助人数", "household", pl.Int64(), "人", 0),
]

# Identity columns every table has (not usable in expressions except through the fields above).
PERSON_KEYS: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "household_id": pl.String(),
    "region_code": pl.String(),
}
HOUSEHOLD_KEYS: dict[str, pl.DataType] = {"household_id": pl.String(), "region_code": pl.String()}
ENROLLED = "enrolled"

FIELDS_BY_LABEL: dict[str, InputField] = {f.label: f for f in PERSON_FIELDS + HOUSEHOLD_FIELDS}
FIELDS_BY_COLUMN: dict[str, InputField] = {f.column: f for f in PERSON_FIELDS + HOUSEHOLD_FIELDS}


class InputError(ValueError):
    """A missing required column or a value of the wrong type; the message is Chinese."""


def normalise_persons(frame: Any) -> pl.DataFrame:
    """Arrow/Polars persons → a Polars frame with every column, typed, defaults filled."""
    return _normalise(_as_polars(frame), PERSON_KEYS, PERSON_FIELDS, "persons", required=("birth_date",))


def normalise_households(frame: Any) -> pl.DataFrame:
    return _normalise(_as_polars(frame), HOUSEHOLD_KEYS, HOUSEHOLD_FIELDS, "households", required=())


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    result = pl.from_arrow(frame)
    if not isinstance(result, pl.DataFrame):
        raise InputError("输入应为表格（Arrow Table 或 Polars DataFrame）")
    return result


def _normalise(
    frame: pl.DataFrame,
    keys: dict[str, pl.DataType],
    fields: list[InputField],
    table: str,
    required: tuple[str, ...],
) -> pl.DataFrame:
    missing = [c for c in (*keys, *required) if c not in frame.columns]
    if missing:
        raise InputError(f"{table} 表缺少必需的列：{'、'.join(missing)}")
    try:
        return frame.select(_normalise_exprs(table, frozenset(frame.columns), keys, fields))
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{table} 表的列类型不对：{exc}") from exc


_EXPRS: dict[tuple[str, frozenset[str]], list[pl.Expr]] = {}


def _normalise_exprs(
    table: str, columns: frozenset[str], keys: dict[str, pl.DataType], fields: list[InputField]
) -> list[pl.Expr]:
    """The select that normalises a table with these columns: built once per column set.

    Building it (about sixty casts and typed literals) was a fifth of one household's
    evaluation (issue 16); the columns a source sends rarely vary.
    """
    found = _EXPRS.get((table, columns))
    if found is not None:
        return found
    exprs: list[pl.Expr] = [pl.col(c).cast(t) for c, t in keys.items()]
    for f in fields:
        if f.column in columns:
            known = f.default is not None and not f.unknowable
            exprs.append(_cast(f, table).fill_null(f.default) if known else _cast(f, table))
        else:
            exprs.append(pl.lit(f.default, dtype=f.dtype).alias(f.column))
    if ENROLLED in columns:
        exprs.append(pl.col(ENROLLED).cast(pl.List(pl.String())).fill_null([]))
    else:
        exprs.append(pl.lit([], dtype=pl.List(pl.String())).alias(ENROLLED))
    if len(_EXPRS) >= 256:  # bounded: a caller sending ever new column sets still gets answers
        _EXPRS.clear()
    _EXPRS[(table, columns)] = exprs
    return exprs


def _cast(f: InputField, table: str) -> pl.Expr:
    del table
    return pl.col(f.column).cast(f.dtype, strict=True)


def age_expr(birth: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Full years (周岁) at the as-of date: birthday not yet reached this year counts one less."""
    before = (birth.dt.month() > as_of.month) | ((birth.dt.month() == as_of.month) & (birth.dt.day() > as_of.day))
    return (pl.lit(as_of.year) - birth.dt.year() - before.cast(pl.Int32)).cast(pl.Int64)


def months_between_expr(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole months from start to end (negative when end is earlier)."""
    months = (end.dt.year() - start.dt.year()) * 12 + end.dt.month().cast(pl.Int32) - start.dt.month().cast(pl.Int32)
    return (months - (end.dt.day() < start.dt.day()).cast(pl.Int32)).cast(pl.Int64)
