"""The scenario tests written in each policy file, as data a policy officer can read.

```yaml
tests:
  - name: 三口之家月收入 1500 元，人均 500 元，按差额领取
    as_of: 2025-01-01
    region: "330212001005"          # optional; default 鄞州区 下应街道 东兴社区
    params: {dibao.standard: 1181}  # optional overrides, in the parameter's own unit
    household: {遭遇急难: 是}        # optional household fields
    members:                        # Chinese field names of inputs.py; money in 元
      - {与户主关系: 户主, 出生日期: 1975-03-01, 工资性收入: 1500}
    expect: {eligible: true, amount: 2043.00, failed: [], excluded_by: null, member: 1}
```
`expect` may be a list (one entry per member or per policy: `policy: tekun`). Every path
(one household, batch, Spark) is checked against the same expectations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from minzheng.rules.engine import units as u
from minzheng.rules.engine.catalogue import Catalogue, CatalogueError
from minzheng.rules.engine.expr import PERSON
from minzheng.rules.engine.inputs import FIELDS_BY_LABEL, HOUSEHOLD_FIELDS, PERSON_FIELDS, InputField
from minzheng.rules.engine.params import YamlParamSource, params_table
from minzheng.rules.engine.yamlsrc import line_of

DEFAULT_REGION = "330212001005"
_YES = {"是", "true", "True", "有", "1"}
_NO = {"否", "false", "False", "无", "0", ""}


@dataclass(slots=True)
class Scenario:
    policy_id: str
    index: int
    name: str
    file: str
    line: int
    as_of: dt.date
    region: str
    params: dict[str, Any]
    household: dict[str, Any]
    members: list[dict[str, Any]]
    expect: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.policy_id}#{self.index}"

    def region_code(self, unique: bool) -> str:
        """With parameter overrides the scenario needs its own region code in a shared batch."""
        return f"{self.region}~{self.key}" if unique and self.params else self.region


def scenarios(catalogue: Catalogue) -> list[Scenario]:
    out = []
    for policy in catalogue.policies.values():
        for i, raw in enumerate(policy.tests, start=1):
            out.append(_scenario(policy.id, policy.file, i, raw))
    return out


def _scenario(policy_id: str, file: str, index: int, raw: Any) -> Scenario:
    line = line_of(raw)
    if not isinstance(raw, dict) or "members" not in raw or "expect" not in raw:
        raise CatalogueError(file, line, "场景测试需要 name、members 和 expect")
    if "as_of" not in raw:
        raise CatalogueError(file, line, "场景测试需要 as_of（评估日期）")
    expect = raw["expect"] if isinstance(raw["expect"], list) else [raw["expect"]]
    as_of = raw["as_of"]
    return Scenario(
        policy_id,
        index,
        str(raw.get("name", f"场景 {index}")),
        file,
        line,
        as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)),
        str(raw.get("region", DEFAULT_REGION)),
        dict(raw.get("params") or {}),
        dict(raw.get("household") or {}),
        [dict(m) for m in raw["members"]],
        [dict(e) for e in expect],
    )


# ---- inputs ------------------------------------------------------------------------------------


def _convert(sc: Scenario, f: InputField, value: Any) -> Any:
    if f.dtype == pl.Boolean():
        text = str(value)
        if isinstance(value, bool) or text in _YES | _NO:
            return value if isinstance(value, bool) else text in _YES
    elif f.choices and isinstance(value, str):
        if value in f.choices:
            return f.choices[value]
    elif f.unit.dim == u.MONEY:
        return int(Decimal(str(value)) * 100)  # scenarios write 元; inputs are fen
    elif (f.dtype == pl.Date() and isinstance(value, dt.date)) or isinstance(value, int | float | str):
        return value
    raise CatalogueError(sc.file, sc.line, f"场景“{sc.name}”：“{f.label}”的取值“{value}”无法识别")


def _row(sc: Scenario, data: dict[str, Any], entity: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for label, value in data.items():
        if label == "已享受":
            row["enrolled"] = [str(v) for v in (value or [])]
            continue
        f = FIELDS_BY_LABEL.get(label)
        if f is None or f.entity != entity:
            raise CatalogueError(sc.file, line_of(label, sc.line), f"场景“{sc.name}”：未知字段“{label}”")
        row[f.column] = _convert(sc, f, value)
    return row


def scenario_frames(items: list[Scenario], unique_regions: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Persons and households of the given scenarios (ids `<policy>#<n>` / `<policy>#<n>/p<k>`)."""
    persons: list[dict[str, Any]] = []
    households: list[dict[str, Any]] = []
    for sc in items:
        region = sc.region_code(unique_regions)
        households.append({"household_id": sc.key, "region_code": region, **_row(sc, sc.household, "household")})
        for k, member in enumerate(sc.members, start=1):
            row = {"person_id": f"{sc.key}/p{k}", "household_id": sc.key, "region_code": region}
            persons.append({**row, **_row(sc, member, PERSON)})
    return _frame(persons, PERSON_FIELDS, person=True), _frame(households, HOUSEHOLD_FIELDS, person=False)


def _frame(rows: list[dict[str, Any]], fields: list[InputField], person: bool) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {"household_id": pl.String(), "region_code": pl.String()}
    if person:
        schema = {"person_id": pl.String(), **schema}
    schema.update({f.column: f.dtype for f in fields})
    schema["enrolled"] = pl.List(pl.String())
    full = [{c: r.get(c, _default(c, fields)) for c in schema} for r in rows]
    return pl.DataFrame(full, schema=schema)


def _default(column: str, fields: list[InputField]) -> Any:
    if column == "enrolled":
        return []
    return next((f.default for f in fields if f.column == column), None)


def scenario_params(base: YamlParamSource, sc: Scenario) -> YamlParamSource:
    # The scenario's own village from its as-of date: the most specific, latest row, so it wins.
    row = {"region": sc.region, "from": sc.as_of.isoformat(), "reference": "场景设定"}
    overrides = {key: {"values": [{**row, "value": value}]} for key, value in sc.params.items()}
    return base.overlay(overrides) if overrides else base


def scenario_params_table(catalogue: Catalogue, base: YamlParamSource, items: list[Scenario]) -> pl.DataFrame:
    """One pre-resolved table for a batch of scenarios (overrides live under each scenario's own code)."""
    parts = []
    for sc in items:
        table = params_table(scenario_params(base, sc), catalogue.param_keys(), [sc.region], sc.as_of)
        parts.append(table.with_columns(pl.lit(sc.region_code(True)).alias("region_code")))
    return pl.concat(parts).unique(["region_code", "key"], keep="first", maintain_order=True)


# ---- expectations ------------------------------------------------------------------------------


def check(catalogue: Catalogue, sc: Scenario, rows: list[dict[str, Any]]) -> list[str]:
    """Chinese mismatch messages (empty when the scenario holds). `rows` are DECISION_SCHEMA dicts."""
    problems = []
    for exp in sc.expect:
        policy_id = str(exp.get("policy", sc.policy_id))
        policy = catalogue.policies[policy_id]
        member = int(exp.get("member", 1))
        person = f"{sc.key}/p{member}" if policy.entity == PERSON else None
        row = next((r for r in rows if r["policy_id"] == policy_id and r["person_id"] == person), None)
        where = f"{sc.file} 第 {sc.line} 行 场景“{sc.name}”（{policy_id}" + (f"，成员 {member}）" if person else "）")
        if row is None:
            problems.append(f"{where}：没有判定结果")
            continue
        problems += _compare(where, exp, row)
    return problems


def _compare(where: str, exp: dict[str, Any], row: dict[str, Any]) -> list[str]:
    out = []
    if "eligible" in exp and bool(exp["eligible"]) != bool(row["eligible"]):
        out.append(
            f"{where}：应{'符合' if exp['eligible'] else '不符合'}，实际{'符合' if row['eligible'] else '不符合'}"
        )
    if "amount" in exp:
        want = int(Decimal(str(exp["amount"])) * 100)
        if want != row["amount_fen"]:
            out.append(f"{where}：金额应为 {want / 100:.2f} 元，实际 {row['amount_fen'] / 100:.2f} 元")
    if "quantity" in exp and int(exp["quantity"]) != row["quantity"]:
        out.append(f"{where}：服务量应为 {exp['quantity']}，实际 {row['quantity']}")
    if "failed" in exp and sorted(map(str, exp["failed"] or [])) != sorted(row["failed_conditions"] or []):
        out.append(f"{where}：未满足条件应为 {exp['failed']}，实际 {row['failed_conditions']}")
    if "excluded_by" in exp and (exp["excluded_by"] or None) != row["excluded_by"]:
        out.append(f"{where}：排除政策应为 {exp['excluded_by']}，实际 {row['excluded_by']}")
    return out
