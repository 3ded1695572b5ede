"""One household in plain Python (`engine/small.py`, `small_run.py`, `one.py`) equals the Polars plans.

Each case runs twice: first with no dtypes recorded, so `explain` and `evaluate_household` run
the Polars plans (and record them); then again, where the Python path must be taken. The
decisions, amounts, missing lists and every explanation text must be equal, and so must every
evaluated value (`_side_values` against `_python_sides`, column for column).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
import pytest

from minzheng.rules.engine import (
    Catalogue,
    ParamMissing,
    ParamValue,
    YamlParamSource,
    evaluate_household,
    explain,
    one,
)
from minzheng.rules.engine.explain import _python_sides, _side_values
from minzheng.rules.engine.expr import IR, Columns, to_polars
from minzheng.rules.engine.inputs import (
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_KEYS,
    PERSON_FIELDS,
    PERSON_KEYS,
    InputField,
    normalise_households,
    normalise_persons,
)
from minzheng.rules.engine.plan import unit_dtype
from minzheng.rules.engine.scenarios import scenario_frames, scenario_params, scenarios
from minzheng.rules.engine.small_run import value_of

YINZHOU, JIAXING, ELSEWHERE = "330212001005", "330402001001", "110101001001"
DATES = [dt.date(2013, 6, 1), dt.date(2022, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 7, 15), dt.date(2026, 12, 31)]
_WORDS = {
    "sex": ["M", "F"],
    "relation": ["02", "10", "20", "30", "40", "51", "52", "80"],
    "disability_category": ["", "视力", "肢体", "智力", "精神", "多重"],
    "father_situation": ["", "死亡", "重残", "服刑", "失联", "外出务工"],
    "mother_situation": ["", "死亡", "宣告失踪", "重病", "在家"],
    "burial_type": ["", "草坪葬", "海葬", "树葬"],
    "care_home_kind": ["", "公办", "公建民营", "民办"],
    "disaster_house_damage": ["", "倒塌", "严重损坏", "一般损坏"],
}


def _value(rng: random.Random, f: InputField) -> Any:
    name = type(f.dtype).__name__
    if f.column in _WORDS:
        return rng.choice(_WORDS[f.column])
    if name == "Boolean":
        return rng.random() < 0.3
    if name == "Date":
        return dt.date(1920, 1, 1) + dt.timedelta(days=rng.randrange(0, 38_000))
    if name == "Int8":
        return rng.choice([0, 0, 1, 2, 3, 4])
    if name == "Float64":
        return rng.choice([0.0, 0.0, round(rng.uniform(5, 150), 2), rng.uniform(0, 80)])
    if f.column.endswith("_days"):
        return rng.randrange(0, 32)
    if f.column.endswith("_count") or f.column.endswith("_persons"):
        return rng.choice([0, 0, 1, 2])
    return rng.choice([0, 0, rng.randrange(0, 300_000), rng.randrange(0, 50_000_000)])


def _row(rng: random.Random, fields: list[InputField], columns: set[str], nulls: float) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in fields:
        if f.column in columns:
            row[f.column] = None if rng.random() < nulls else _value(rng, f)
    return row


def random_household(
    rng: random.Random, policies: list[str], tag: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """1–2 households of 0–6 members; random columns absent, random values null, regions mixed."""
    p_columns = {f.column for f in PERSON_FIELDS if f.column == "birth_date" or rng.random() < 0.8}
    h_columns = {f.column for f in HOUSEHOLD_FIELDS if rng.random() < 0.8}
    nulls = rng.choice([0.0, 0.0, 0.05, 0.2])
    persons, households = [], []
    for k in range(rng.choice([1, 1, 1, 2])):
        hid = f"{tag}-h{k}"
        region = rng.choice([YINZHOU, YINZHOU, JIAXING, ELSEWHERE])
        enrolled = rng.sample(policies, rng.choice([0, 0, 1, 3]))
        households.append(
            {
                "household_id": hid,
                "region_code": region,
                "enrolled": enrolled,
                **_row(rng, HOUSEHOLD_FIELDS, h_columns, nulls),
            }
        )
        for m in range(rng.choice([0, 1, 1, 2, 3, 3, 4, 5, 6]) if k else rng.choice([1, 2, 3, 4, 5, 6])):
            own = region if rng.random() < 0.9 else rng.choice([YINZHOU, JIAXING, ELSEWHERE])
            row = {
                "person_id": f"{hid}-p{m}",
                "household_id": hid,
                "region_code": own,
                "enrolled": rng.sample(policies, rng.choice([0, 0, 1])),
            }
            persons.append(row | _row(rng, PERSON_FIELDS, p_columns, nulls))
    return persons, households


def _frames(persons: list[dict[str, Any]], households: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    p_schema: dict[str, pl.DataType] = {
        "person_id": pl.String(),
        "household_id": pl.String(),
        "region_code": pl.String(),
    }
    p_schema |= {f.column: f.dtype for f in PERSON_FIELDS if any(f.column in r for r in persons)}
    p_schema["enrolled"] = pl.List(pl.String())
    h_schema: dict[str, pl.DataType] = {"household_id": pl.String(), "region_code": pl.String()}
    h_schema |= {f.column: f.dtype for f in HOUSEHOLD_FIELDS if any(f.column in r for r in households)}
    h_schema["enrolled"] = pl.List(pl.String())
    if not persons:
        return pl.DataFrame(schema=p_schema), pl.DataFrame(households, schema=h_schema)
    p_rows = [{c: r.get(c) for c in p_schema} for r in persons]
    return pl.DataFrame(p_rows, schema=p_schema), pl.DataFrame(households, schema=h_schema)


def both_paths(catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, source: Any) -> bool:
    """Polars, then Python: equal decisions and explanations. True when the Python path was taken."""
    catalogue.cache.pop("small:schemas", None)  # nothing recorded: the plans run, and record their dtypes
    names = {YINZHOU[:6]: "鄞州区", JIAXING[:6]: "南湖区"}
    want = explain(catalogue, persons, households, as_of, source, names)
    want_plain = evaluate_household(catalogue, persons, households, as_of, source)
    prep = one.prepare(catalogue, persons, households, as_of, source)
    literals = prep.params.literals
    cols = Columns(
        as_of,
        {**literals, "评估日期": as_of},
        {n: unit_dtype(catalogue.nodes[n].unit) for n, v in literals.items() if v is None},
    )
    python_sides = _python_sides(catalogue, prep, as_of)
    got = explain(catalogue, persons, households, as_of, source, names)
    got_plain = evaluate_household(catalogue, persons, households, as_of, source)
    assert got == want
    assert got_plain == want_plain
    assert [d.explanation for d in got] == [d.explanation for d in want]
    if python_sides is None:
        return False
    p, h = one.plan_frames(catalogue, prep, as_of)
    plan_sides = _side_values(catalogue, p, h, cols, prep.key)
    for level, rows in plan_sides.items():
        for a, b in zip(rows, python_sides[level], strict=True):
            assert a.keys() == b.keys()
            for column in a:  # value and Python type (1 and 1.0 print differently)
                assert (column, a[column], type(a[column])) == (column, b[column], type(b[column]))
    return True


def test_random_households_equal_the_plans(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    rng = random.Random(20)  # noqa: S311 - test data, not secrets
    policies = sorted(catalogue.policies)
    taken = 0
    for i in range(80):
        persons, households = random_household(rng, policies, f"r{i}")
        p, h = _frames(persons, households)
        taken += both_paths(catalogue, p, h, rng.choice(DATES), default_params)
    # The usual path; the plans decide where members of one call live in regions with different
    # parameter values and a column is divided by one of them (`small._by_scalar`).
    assert taken >= 64


def test_generated_county_households(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """Households as the benchmark generates them (areas with every digit: the float-sum checks)."""
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    taken = 0
    for i in range(40):
        size = rng.choice([1, 2, 3, 3, 4, 5, 6])
        region = rng.choice([YINZHOU, JIAXING])
        persons = [
            {
                "person_id": f"g{i}-{m}",
                "household_id": f"g{i}",
                "region_code": region,
                "birth_date": dt.date(1930 + rng.randrange(90), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                "income_wage_fen": rng.choice([0, rng.randrange(50_000, 900_000)]),
                "deposits_fen": rng.randrange(0, 5_000_000),
                "real_estate_count": rng.choice([0, 1, 1, 2]),
                "real_estate_area_m2": rng.uniform(0, 80),
                "disability_grade": rng.choice([0, 0, 0, 1, 2, 3, 4]),
            }
            for m in range(size)
        ]
        p, h = _frames(persons, [{"household_id": f"g{i}", "region_code": region, "enrolled": []}])
        taken += both_paths(catalogue, p, h, dt.date(2025, 1, 1), default_params)
    assert taken == 40


@pytest.mark.parametrize("chunk", range(4))
def test_scenario_households(catalogue: Catalogue, default_params: YamlParamSource, chunk: int) -> None:
    """Every policy file's scenarios (its edge cases, written by hand) on both paths."""
    items = scenarios(catalogue)[chunk::4]
    taken = 0
    for sc in items:
        persons, households = scenario_frames([sc], unique_regions=False)
        taken += both_paths(catalogue, persons, households, sc.as_of, scenario_params(default_params, sc))
    assert taken >= len(items) * 0.9


def _member(pid: str, **values: Any) -> dict[str, Any]:
    return {"person_id": pid, "household_id": "e1", "region_code": YINZHOU, "enrolled": [], **values}


def test_unknown_inputs_are_undecided_with_what_is_missing(
    catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    persons = [
        _member("a", birth_date=dt.date(1950, 3, 1), relation="02", income_wage_fen=None, income_pension_fen=80_000),
        _member("b", birth_date=dt.date(1955, 8, 9), relation="10", income_wage_fen=0, deposits_fen=None),
    ]
    p, h = _frames(persons, [{"household_id": "e1", "region_code": YINZHOU, "enrolled": ["dibao"]}])
    assert both_paths(catalogue, p, h, dt.date(2025, 1, 1), default_params)
    dibao = next(d for d in explain(catalogue, p, h, dt.date(2025, 1, 1), default_params) if d.policy_id == "dibao")
    assert dibao.eligible is None and "工资性收入" in dibao.missing
    assert any("待核对（缺少" in e["text"] and "工资性收入" in e["text"] for e in dibao.explanation)


def test_a_parameter_without_value_names_the_parameter(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    def source(key: str, region: str, as_of: dt.date) -> ParamValue:
        if key == "dibao.standard":
            raise ParamMissing(key, region, as_of)
        return default_params(key, region, as_of)

    p, h = _frames(
        [_member("a", birth_date=dt.date(1960, 1, 1))], [{"household_id": "e1", "region_code": YINZHOU, "enrolled": []}]
    )
    assert both_paths(catalogue, p, h, dt.date(2025, 1, 1), source)
    decisions = evaluate_household(catalogue, p, h, dt.date(2025, 1, 1), source)  # type: ignore[arg-type]
    dibao = next(d for d in decisions if d.policy_id == "dibao")
    assert dibao.eligible is None and any("dibao.standard" in m for m in dibao.missing)


def test_members_in_two_regions_take_their_own_parameters(
    catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    """鄞州 and 嘉兴 have different 低保标准: the values vary inside the call (columns, not literals)."""
    persons = [
        _member("a", birth_date=dt.date(1940, 1, 1), relation="02"),
        _member("b", birth_date=dt.date(1990, 1, 1), relation="20", region_code=JIAXING, income_wage_fen=150_000),
    ]
    households = [{"household_id": "e1", "region_code": YINZHOU, "enrolled": []}]
    p, h = _frames(persons, households)
    prep = one.prepare(catalogue, p, h, dt.date(2025, 1, 1), default_params)
    assert prep.params.by_region is not None  # the case under test: parameters that vary
    assert both_paths(catalogue, p, h, dt.date(2025, 1, 1), default_params)


def test_links_between_members_and_dates(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """Member aggregates, a person policy excluding a household one, policies not yet in force."""
    persons = [
        _member("a", birth_date=dt.date(1944, 2, 29), relation="02", disability_grade=1, incapacity_level=4),
        _member(
            "b",
            birth_date=dt.date(2012, 5, 1),
            relation="20",
            is_orphan=True,
            father_situation="死亡",
            father_since=dt.date(2020, 1, 31),
        ),
        _member("c", birth_date=dt.date(1946, 12, 31), relation="10", real_estate_area_m2=40.33, real_estate_count=1),
        _member("d", birth_date=dt.date(1980, 6, 30), relation="30", real_estate_area_m2=20.1, income_wage_fen=None),
    ]
    p, h = _frames(
        persons,
        [
            {
                "household_id": "e1",
                "region_code": YINZHOU,
                "enrolled": ["tekun"],
                "emergency_event": True,
                "emergency_loss_fen": 4_000_000,
            }
        ],
    )
    for as_of in (dt.date(2000, 1, 1), dt.date(2024, 2, 29), dt.date(2025, 3, 1)):
        assert both_paths(catalogue, p, h, as_of, default_params)


def test_a_household_without_member_rows(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons = [_member("a", birth_date=dt.date(1950, 1, 1))]
    households = [
        {"household_id": "e1", "region_code": YINZHOU, "enrolled": []},
        {"household_id": "e2", "region_code": YINZHOU, "enrolled": []},
    ]
    p, h = _frames(persons, households)
    assert both_paths(catalogue, p, h, dt.date(2025, 1, 1), default_params)


def test_new_parameter_types_run_the_plans_first(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """No dtypes recorded for these parameter value types: the plans decide, then Python."""
    p, h = _frames(
        [_member("a", birth_date=dt.date(1950, 1, 1))], [{"household_id": "e1", "region_code": YINZHOU, "enrolled": []}]
    )
    catalogue.cache.pop("small:schemas", None)
    prep = one.prepare(catalogue, p, h, dt.date(2025, 1, 1), default_params)
    assert one.evaluated_rows(catalogue, prep, dt.date(2025, 1, 1)) is None
    evaluate_household(catalogue, p, h, dt.date(2025, 1, 1), default_params)
    assert one.evaluated_rows(catalogue, prep, dt.date(2025, 1, 1)) is not None


def test_python_normalising_equals_the_select(catalogue: Catalogue) -> None:
    """Typed inputs are normalised in Python: the same rows as `normalise_*(...).to_dicts()`."""
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    for i in range(30):
        persons, households = random_household(rng, sorted(catalogue.policies), f"n{i}")
        p, h = _frames(persons, households)
        if i % 3 == 0:  # known fields left null take their default; unknowable ones stay null
            p = p.with_columns(
                pl.lit(None, dtype=pl.String()).alias("sex"), pl.lit(None).cast(pl.List(pl.String())).alias("enrolled")
            )
        assert one._python_rows(p, PERSON_KEYS, PERSON_FIELDS, ("birth_date",)) == normalise_persons(p).to_dicts()
        assert one._python_rows(h, HOUSEHOLD_KEYS, HOUSEHOLD_FIELDS, ()) == normalise_households(h).to_dicts()
    # Another type (a cast), or a missing required column: the select decides (and raises).
    wide = p.with_columns(pl.col("birth_date").cast(pl.Datetime()))
    assert one._python_rows(wide, PERSON_KEYS, PERSON_FIELDS, ("birth_date",)) is None
    assert one._python_rows(p.drop("birth_date"), PERSON_KEYS, PERSON_FIELDS, ("birth_date",)) is None


def _sub_irs(ir: IR) -> list[IR]:
    return [ir, *(s for a in ir.args for s in _sub_irs(a))]


def test_values_inside_amount_formulas(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """`explain._value`'s rare case (a function inside a formula): Python's value is Polars' on the row."""
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    irs = [
        s for p in catalogue.policies.values() if p.amount for part in p.amount.parts.values() for s in _sub_irs(part)
    ]
    checked = 0
    for i in range(25):
        persons, households = random_household(rng, sorted(catalogue.policies), f"v{i}")
        p, h = _frames(persons, households)
        as_of = rng.choice(DATES)
        explain(catalogue, p, h, as_of, default_params)  # dtypes recorded
        prep = one.prepare(catalogue, p, h, as_of, default_params)
        sides = _python_sides(catalogue, prep, as_of)
        if sides is None:
            continue
        literals = {**prep.params.literals, "评估日期": as_of}
        cols = Columns(as_of, literals)
        for row in sides["person"] + sides["household"]:
            frame = pl.DataFrame([{k: v for k, v in row.items() if not k.startswith("__x")}])
            for ir in irs:
                sure, value = value_of(catalogue, ir, row, literals)
                if not sure:
                    continue
                try:
                    want = frame.select(to_polars(ir, cols).alias("v")).item()
                except pl.exceptions.PolarsError:
                    continue  # a node of the other level: not in this row
                assert (value, type(value)) == (want, type(want)), ir.source
                checked += 1
    assert checked > 500
