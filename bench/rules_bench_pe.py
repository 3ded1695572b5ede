"""The rules benchmark's policyengine-core side: run ONLY inside the throwaway venv (/tmp/pe-venv).

policyengine-core (an OpenFisca fork) is AGPL and never a project dependency; `rules_bench.py`
calls this script with that venv's interpreter and a JSON spec (Parquet paths, the 低保标准 of
every county, the scalar parameters). The seven policies of the subset (dibao, dibao_edge, tekun,
orphan, gaoling, disability_care, virtual_job) are written as OpenFisca variables with the same
conditions as the YAML catalogue; 低保标准 is a county-keyed node read with fancy indexing.
Prints one JSON line: seconds per phase, totals per policy (元) and eligible counts.
"""
# ruff: noqa: N801, N805 - OpenFisca's variable classes are named after the variables they define

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from policyengine_core.entities import build_entity
from policyengine_core.model_api import MONTH, Variable, max_, where
from policyengine_core.simulations import SimulationBuilder
from policyengine_core.taxbenefitsystems import TaxBenefitSystem

PERIOD = "2025-01"
Household = build_entity(
    key="household", plural="households", label="户", roles=[{"key": "member", "plural": "members"}]
)
Person = build_entity(key="person", plural="persons", label="人", is_person=True)


def _input(name: str, entity: object, kind: type) -> type:
    return type(name, (Variable,), {"value_type": kind, "entity": entity, "definition_period": MONTH, "label": name})


INPUTS = [
    ("age", Person, int),
    ("income", Person, float),
    ("assets", Person, float),
    ("vehicles", Person, int),
    ("vehicle_value", Person, float),
    ("houses", Person, int),
    ("house_area", Person, float),
    ("grade", Person, int),
    ("category", Person, str),
    ("orphan_tag", Person, bool),
    ("no_supporter", Person, bool),
    ("student", Person, bool),
    ("county", Household, str),
]


class members_n(Variable):
    value_type, entity, definition_period, label = int, Household, MONTH, "保障人口"

    def formula(h, period, parameters):
        return h.nb_persons()


class pc_income(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "家庭月人均收入"

    def formula(h, period, parameters):
        return h.sum(h.members("income", period)) / max_(h("members_n", period), 1)


class pc_assets(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "人均金融资产"

    def formula(h, period, parameters):
        return h.sum(h.members("assets", period)) / max_(h("members_n", period), 1)


class standard(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "当地低保标准"

    def formula(h, period, parameters):
        return parameters(period).dibao.standard[h("county", period)]


class assets_ok(Variable):
    value_type, entity, definition_period, label = bool, Household, MONTH, "财产符合低保"

    def formula(h, period, parameters):
        p = parameters(period).dibao
        std = h("standard", period)
        vehicles = h.sum(h.members("vehicles", period))
        value = h.sum(h.members("vehicle_value", period))
        houses = h.sum(h.members("houses", period))
        area = h.sum(h.members("house_area", period)) / max_(h("members_n", period), 1)
        car = (vehicles == 0) + ((p.vehicle_months > 0) * (vehicles == 1) * (value < p.vehicle_months * std))
        home = (houses <= 1) + ((houses == 2) * (area < p.area_cap))
        return (h("pc_assets", period) < p.deposit_months * std) * (car > 0) * (home > 0)


class no_work_capacity(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "无劳动能力"

    def formula(p, period, parameters):
        age, grade, cat = p("age", period), p("grade", period), p("category", period)
        severe_mental = ((cat == "智力") + (cat == "精神")) * (grade >= 1) * (grade <= 2)
        limb = (cat == "肢体") * (grade >= 1) * (grade <= 3)
        sight = (cat == "视力") * (grade == 1)
        return (age >= 60) + (age < 16) + severe_mental + limb + sight > 0


class orphan(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "孤儿"

    def formula(p, period, parameters):
        return p("orphan_tag", period) * ((p("age", period) < 18) + p("student", period) > 0)


class orphan_amount(Variable):
    value_type, entity, definition_period, label = float, Person, MONTH, "孤儿基本生活费"

    def formula(p, period, parameters):
        return where(p("orphan", period), parameters(period).orphan.amount, 0)


class tekun(Variable):
    value_type, entity, definition_period, label = bool, Person, MONTH, "特困"

    def formula(p, period, parameters):
        poor = p.household("pc_income", period) < p.household("standard", period)
        assets = p.household("pc_assets", period) < parameters(period).dibao.deposit_months * p.household(
            "standard", period
        )
        raw = p("no_work_capacity", period) * poor * assets * p("no_supporter", period)
        return raw * np.logical_not(p("orphan", period))


class tekun_amount(Variable):
    value_type, entity, definition_period, label = float, Person, MONTH, "特困供养金"

    def formula(p, period, parameters):
        return where(p("tekun", period), np.round(parameters(period).tekun.basic_living / 12, 2), 0)


class dibao(Variable):
    value_type, entity, definition_period, label = bool, Household, MONTH, "低保"

    def formula(h, period, parameters):
        raw = (h("pc_income", period) < h("standard", period)) * h("assets_ok", period)
        return raw * np.logical_not(h.all(h.members("tekun", period)))


class dibao_amount(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "低保金"

    def formula(h, period, parameters):
        gap = (h("standard", period) - h("pc_income", period)) * h("members_n", period)
        return where(h("dibao", period), gap, 0)


class dibao_edge(Variable):
    value_type, entity, definition_period, label = bool, Household, MONTH, "低保边缘"

    def formula(h, period, parameters):
        p = parameters(period).dibao
        std = h("standard", period)
        vehicles = h.sum(h.members("vehicles", period))
        value = h.sum(h.members("vehicle_value", period))
        houses = h.sum(h.members("houses", period))
        area = h.sum(h.members("house_area", period)) / max_(h("members_n", period), 1)
        car = (vehicles == 0) + (vehicles == 1) * (value < p.edge_vehicle_months * std)
        home = (houses <= 1) + ((houses == 2) * (area < p.area_cap))
        ok = (h("pc_income", period) < p.edge_multiple * std) * (h("pc_assets", period) < p.deposit_months * std)
        raw = ok * (car > 0) * (home > 0)
        return raw * np.logical_not(h("dibao", period)) * np.logical_not(h.all(h.members("tekun", period)))


class gaoling_amount(Variable):
    value_type, entity, definition_period, label = float, Person, MONTH, "高龄津贴"

    def formula(p, period, parameters):
        g = parameters(period).gaoling
        age = p("age", period)
        amount = max_(max_(g.amount, where(age >= 90, g.amount_90, 0)), where(age >= 100, g.amount_100, 0))
        return where((age >= g.min_age) * (g.amount > 0), amount, 0)


class disability_care_amount(Variable):
    value_type, entity, definition_period, label = float, Person, MONTH, "重度残疾人护理补贴"

    def formula(p, period, parameters):
        grade = p("grade", period)
        return where((grade >= 1) * (grade <= 2), parameters(period).disability.care_subsidy, 0)


class virtual_job_amount(Variable):
    value_type, entity, definition_period, label = float, Household, MONTH, "虚拟岗"

    def formula(h, period, parameters):
        v = parameters(period).virtual_job
        incapable = h.any(h.members("no_work_capacity", period))
        ok = h("dibao", period) * (h("members_n", period) >= v.min_members) * incapable * (v.amount > 0)
        return where(ok, v.amount, 0)


FORMULAS = [
    members_n, pc_income, pc_assets, standard, assets_ok, no_work_capacity, orphan, orphan_amount, tekun,
    tekun_amount, dibao, dibao_amount, dibao_edge, gaoling_amount, disability_care_amount, virtual_job_amount,
]  # fmt: skip
OUTPUTS = [
    "dibao_amount", "dibao_edge", "tekun_amount", "orphan_amount", "gaoling_amount",
    "disability_care_amount", "virtual_job_amount",
]  # fmt: skip


def parameters_dir(spec: dict, root: Path) -> Path:
    """One YAML file per top-level node (the file name is the node's name in OpenFisca)."""
    s = spec["scalars"]
    files: dict[str, list[str]] = {"dibao": ["standard:"]}
    files["dibao"] += [
        f"  c{code}:\n    values:\n      2024-01-01: {value}" for code, value in spec["standards"].items()
    ]
    for key, name in [
        ("dibao.deposit_cap_months", "deposit_months"),
        ("dibao.vehicle_value_cap_months", "vehicle_months"),
        ("dibao_edge.vehicle_value_cap_months", "edge_vehicle_months"),
        ("dibao.housing_area_cap", "area_cap"),
        ("dibao.edge_multiple", "edge_multiple"),
    ]:
        files["dibao"].append(f"{name}:\n  values:\n    2020-01-01: {s[key]}")
    for node, leaves in {
        "tekun": {"basic_living": "tekun.basic_living"},
        "orphan": {"amount": "orphan.amount"},
        "gaoling": {k: f"gaoling.{k}" for k in ("min_age", "amount", "amount_90", "amount_100")},
        "disability": {"care_subsidy": "disability.care_subsidy"},
        "virtual_job": {"amount": "virtual_job.amount", "min_members": "virtual_job.min_members"},
    }.items():
        files[node] = [f"{leaf}:\n  values:\n    2020-01-01: {s[key]}" for leaf, key in leaves.items()]
    root.mkdir(parents=True, exist_ok=True)
    for node, lines in files.items():
        (root / f"{node}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def main() -> None:
    spec = json.loads(sys.argv[1])
    # CPU seconds per phase (time.process_time: every thread of this process), beside wall time,
    # so the comparison holds per CPU-second whatever number of cores each engine keeps busy.
    started, c_start = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:

        class System(TaxBenefitSystem):
            entities = [Household, Person]
            parameters_dir = str(parameters_dir(spec, Path(tmp) / "parameters"))

        system = System()
        system.add_variables(*(_input(n, e, k) for n, e, k in INPUTS), *FORMULAS)
    t_system, c_system = time.perf_counter(), time.process_time()
    cols = ["household_id", "birth_date", "income_wage_fen", "income_pension_fen", "deposits_fen", "vehicle_count"]
    cols += ["vehicle_value_fen", "real_estate_count", "real_estate_area_m2", "disability_grade"]
    cols += ["disability_category", "is_orphan", "no_legal_supporter", "student"]
    persons = pq.read_table(spec["persons"], columns=cols)
    households = pq.read_table(spec["households"], columns=["household_id", "region_code"])
    t_read, c_read = time.perf_counter(), time.process_time()
    birth = persons["birth_date"].to_numpy().astype("datetime64[D]")
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    birthday_passed = (birth - birth.astype("datetime64[Y]")).astype(int) <= 0  # born on 1 January
    age = 2025 - years - (~birthday_passed)
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(persons)))
    group = builder.declare_entity("household", households["household_id"].to_numpy(zero_copy_only=False))
    builder.join_with_persons(
        group, persons["household_id"].to_numpy(zero_copy_only=False), np.array(["member"] * len(persons))
    )
    sim = builder.build(system)
    money = lambda c: persons[c].to_numpy().astype(float) / 100  # noqa: E731 - 元 from fen
    inputs = {
        "age": age,
        "income": money("income_wage_fen") + money("income_pension_fen"),
        "assets": money("deposits_fen"),
        "vehicles": persons["vehicle_count"].to_numpy(),
        "vehicle_value": money("vehicle_value_fen"),
        "houses": persons["real_estate_count"].to_numpy(),
        "house_area": persons["real_estate_area_m2"].to_numpy(),
        "grade": persons["disability_grade"].to_numpy().astype(int),
        "category": persons["disability_category"].to_numpy(zero_copy_only=False),
        "orphan_tag": persons["is_orphan"].to_numpy(zero_copy_only=False),
        "no_supporter": persons["no_legal_supporter"].to_numpy(zero_copy_only=False),
        "student": persons["student"].to_numpy(zero_copy_only=False),
        "county": np.char.add(
            "c", pc.utf8_slice_codeunits(households["region_code"], 0, 6).to_numpy(zero_copy_only=False).astype(str)
        ),
    }
    for name, values in inputs.items():
        sim.set_input(name, PERIOD, values)
    t_setup, c_setup = time.perf_counter(), time.process_time()
    results = {name: sim.calculate(name, PERIOD) for name in OUTPUTS}
    t_calc, c_calc = time.perf_counter(), time.process_time()
    totals = {n: round(float(np.asarray(v, dtype=np.float64).sum()), 2) for n, v in results.items()}
    counts = {n: int((np.asarray(v) > 0).sum()) for n, v in results.items()}
    out = {
        "engine": "policyengine-core",
        "system_s": round(t_system - started, 2),
        "read_s": round(t_read - t_system, 2),
        "setup_s": round(t_setup - t_read, 2),
        "calculate_s": round(t_calc - t_setup, 2),
        "end_to_end_s": round(t_calc - started, 2),
        "system_cpu_s": round(c_system - c_start, 3),
        "read_cpu_s": round(c_read - c_system, 3),
        "setup_cpu_s": round(c_setup - c_read, 3),
        "calculate_cpu_s": round(c_calc - c_setup, 3),
        "end_to_end_cpu_s": round(c_calc - c_start, 3),
        "totals_yuan": totals,
        "positive_counts": counts,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
