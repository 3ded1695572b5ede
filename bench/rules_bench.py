"""Rules engine benchmark: the whole catalogue over generated populations, Parquet in → decisions out.

    flock /tmp/mz-bench.lock .venv/bin/python bench/rules_bench.py --persons 1000000 10000000
    .venv/bin/python bench/rules_bench.py --persons 100000 --households 200   # quick look

Each size runs in its own process (clean peak memory) and prints: end-to-end seconds (read
Parquet, evaluate county by county, write the decision table), calculation-only seconds, peak
RSS; then one household with explanations p50/p99. In the same run, the same rule subset is
written for policyengine-core (an OpenFisca fork, AGPL: installed only in a throwaway venv,
`/tmp/pe-venv`, never a project dependency) and timed on the same Parquet files, with the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minzheng.rules.engine import (  # noqa: E402
    DEFAULT_PARAMS,
    YamlParamSource,
    evaluate_household,
    explain,
    load_catalogue,
    one,
    params_table,
)
from minzheng.rules.engine.batchio import evaluate_parquet  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchlib, when imported from elsewhere
from benchlib import emit, rss_mb  # noqa: E402

AS_OF = dt.date(2025, 1, 1)
WORK = Path(os.environ.get("MZ_RULES_BENCH_DIR", "/tmp/mz-rules-bench"))  # noqa: S108 - a benchmark's scratch space
PE_VENV = Path(os.environ.get("MZ_PE_VENV", "/tmp/pe-venv"))  # noqa: S108 - a benchmark's scratch space
COUNTIES = 100
SUBSET = ["dibao", "dibao_edge", "tekun", "orphan", "gaoling", "disability_care", "virtual_job"]


# ---- population --------------------------------------------------------------------------------


def county_codes() -> list[str]:
    # 10 synthetic cities × 10 counties under 浙江 (33): codes are only partition keys here.
    return [f"33{c:02d}{k:02d}" for c in range(11, 21) for k in range(11, 21)][:COUNTIES]


def generate(n_persons: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households of 1–6 (mean ≈ 3), persons sorted by household and households by county."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5, 6], size=n_persons // 2, p=[0.18, 0.27, 0.25, 0.17, 0.09, 0.04])
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n_persons) + 1]
    sizes[-1] -= int(sizes.sum() - n_persons)
    sizes = sizes[sizes > 0]
    n_h, n_p = len(sizes), int(sizes.sum())
    counties = np.array(county_codes())
    h_county = np.sort(rng.integers(0, COUNTIES, n_h))
    h_region = np.char.add(
        np.char.add(counties[h_county], np.char.zfill(rng.integers(1, 21, n_h).astype(str), 3)),
        np.char.zfill(rng.integers(1, 31, n_h).astype(str), 3),
    )
    h_idx = np.repeat(np.arange(n_h), sizes)
    pos = np.arange(n_p) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    head_age = rng.integers(22, 95, n_h)
    age = np.where(
        pos == 0,
        head_age[h_idx],
        np.where(pos == 1, head_age[h_idx] - rng.integers(-3, 6, n_p), rng.integers(0, 40, n_p)),
    )
    age = np.clip(age, 0, 104)
    birth = np.datetime64(AS_OF) - (age * 365.25 + rng.integers(0, 365, n_p)).astype("timedelta64[D]")
    working = (age >= 18) & (age < 60) & (rng.random(n_p) < 0.7)
    wage = np.where(working, rng.lognormal(8.0, 0.8, n_p) * 100, 0).astype(np.int64)
    pension = np.where(age >= 60, rng.lognormal(7.5, 0.9, n_p) * 100, 0).astype(np.int64) * (rng.random(n_p) < 0.8)
    disabled = rng.random(n_p) < 0.06
    persons = pl.DataFrame(
        {
            "person_id": np.char.add("p", np.arange(n_p).astype(str)),
            "household_id": np.char.add("h", h_idx.astype(str)),
            "region_code": h_region[h_idx],
            "birth_date": birth.astype("datetime64[D]"),
            "sex": np.where(rng.random(n_p) < 0.5, "M", "F"),
            "relation": np.where(pos == 0, "02", np.where(pos == 1, "10", np.where(rng.random(n_p) < 0.5, "20", "30"))),
            "disability_category": np.where(disabled, rng.choice(["视力", "肢体", "智力", "精神"], n_p), ""),
            "disability_grade": np.where(disabled, rng.integers(1, 5, n_p), 0).astype(np.int8),
            "incapacity_level": np.where(age >= 65, rng.choice([0, 0, 0, 1, 2, 3, 4], n_p), 0).astype(np.int8),
            "is_orphan": (age < 18) & (rng.random(n_p) < 0.002),
            "is_unsupported_child": (age < 18) & (rng.random(n_p) < 0.002),
            "guardian_missing": (age < 18) & (rng.random(n_p) < 0.002),
            "is_left_behind_child": (age < 16) & (rng.random(n_p) < 0.05),
            "no_legal_supporter": (sizes[h_idx] == 1) & (rng.random(n_p) < 0.3),
            "income_wage_fen": wage,
            "income_pension_fen": pension,
            "deposits_fen": (rng.lognormal(9.0, 1.5, n_p) * 100).astype(np.int64),
            "vehicle_count": (rng.random(n_p) < 0.08).astype(np.int64),
            "vehicle_value_fen": np.where(rng.random(n_p) < 0.08, rng.integers(20_000, 300_000, n_p) * 100, 0),
            "real_estate_count": rng.choice([0, 1, 1, 1, 2], n_p),
            "real_estate_area_m2": rng.uniform(0, 80, n_p),
            "medical_self_pay_fen": np.where(rng.random(n_p) < 0.1, rng.integers(100, 50_000, n_p) * 100, 0),
            "rigid_expense_fen": np.where(rng.random(n_p) < 0.05, rng.integers(1_000, 80_000, n_p) * 100, 0),
            "meal_days": np.where(age >= 75, rng.integers(0, 31, n_p), 0),
            "student": (age >= 6) & (age <= 22) & (rng.random(n_p) < 0.9),
        }
    ).with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("enrolled"))
    households = pl.DataFrame(
        {
            "household_id": np.char.add("h", np.arange(n_h).astype(str)),
            "region_code": h_region,
            "emergency_event": rng.random(n_h) < 0.01,
            "emergency_loss_fen": np.where(rng.random(n_h) < 0.01, rng.integers(1_000, 50_000, n_h) * 100, 0),
        }
    ).with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("enrolled"))
    return persons, households


def bench_params() -> YamlParamSource:
    """The shipped defaults plus a standard per county and every locally-set amount switched on."""
    base = YamlParamSource.from_files(DEFAULT_PARAMS)
    rows = [
        {"region": code, "from": "2024-01-01", "value": 800 + (i * 7) % 500, "reference": "基准测试"}
        for i, code in enumerate(county_codes())
    ]
    on = {
        "dibao.standard": rows,
        "tekun.basic_living": [{"region": "33", "from": "2024-01-01", "value": 16187, "reference": "基准测试"}],
        "gaoling.amount": [{"region": "", "from": "2024-01-01", "value": 100, "reference": "基准测试"}],
        "gaoling.amount_90": [{"region": "", "from": "2024-01-01", "value": 200, "reference": "基准测试"}],
        "disability.living_subsidy": [{"region": "", "from": "2024-01-01", "value": 150, "reference": "基准测试"}],
        "disability.care_subsidy": [{"region": "", "from": "2024-01-01", "value": 200, "reference": "基准测试"}],
        "virtual_job.amount": [{"region": "", "from": "2024-01-01", "value": 500, "reference": "基准测试"}],
        "meals.subsidy.per_day": [{"region": "", "from": "2024-01-01", "value": 5, "reference": "基准测试"}],
        "homecare.hourly_rate": [{"region": "", "from": "2024-01-01", "value": 30, "reference": "基准测试"}],
        "guardian_missing_child.amount": [{"region": "", "from": "2024-01-01", "value": 500, "reference": "基准测试"}],
        "tekun_care.full": [{"region": "", "from": "2024-01-01", "value": 800, "reference": "基准测试"}],
        "tekun_care.half": [{"region": "", "from": "2024-01-01", "value": 300, "reference": "基准测试"}],
    }
    return base.overlay({k: {"values": v} for k, v in on.items()})


def subset_catalogue_dir() -> Path:
    target = WORK / "subset-policies"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    source = ROOT / "minzheng" / "rules" / "policies"
    for name in ["_common", *SUBSET]:
        shutil.copy(source / f"{name}.yaml", target / f"{name}.yaml")
    return target


# ---- one size, in its own process ---------------------------------------------------------------


def run_size(n_persons: int, sample: int, subset: bool) -> dict[str, Any]:
    data = WORK / f"pop-{n_persons}"
    persons_path, households_path = data / "persons.parquet", data / "households.parquet"
    if not persons_path.exists():
        t = time.perf_counter()
        persons, households = generate(n_persons)
        data.mkdir(parents=True, exist_ok=True)
        persons.write_parquet(persons_path, row_group_size=100_000)
        households.write_parquet(households_path, row_group_size=100_000)
        print(
            f"  generated {persons.height:,} persons / {households.height:,} households"
            f" in {time.perf_counter() - t:.1f} s"
        )
        del persons, households
    # Loading the catalogue and resolving the parameters are counted on our side (the
    # policyengine side counts building its tax-benefit system, i.e. its variables and parameters).
    t_load, c_load = time.perf_counter(), time.process_time()
    catalogue = load_catalogue(subset_catalogue_dir() if subset else None)
    source = bench_params()
    regions = pl.read_parquet(households_path, columns=["region_code"]).get_column("region_code").unique()
    table = params_table(source, catalogue.param_keys(), regions, AS_OF)
    load_s, load_cpu = time.perf_counter() - t_load, time.process_time() - c_load
    out = WORK / f"decisions-{n_persons}{'-subset' if subset else ''}"
    shutil.rmtree(out, ignore_errors=True)
    t, c = time.perf_counter(), time.process_time()
    stats = evaluate_parquet(catalogue, persons_path, households_path, AS_OF, table, out)
    run_s, run_cpu = time.perf_counter() - t, time.process_time() - c
    result = {
        "persons": stats.persons,
        "households": stats.households,
        "policies": len(catalogue.policies),
        "counties": stats.counties,
        "decisions": stats.decisions,
        "polars_threads": pl.thread_pool_size(),
        "load_s": round(load_s, 3),  # catalogue + parameters table
        "end_to_end_s": round(load_s + run_s, 3),  # load + read + calculate + write the decisions
        "calculation_s": round(stats.compute_s, 3),
        "read_s": round(stats.read_s, 3),
        "write_s": round(stats.write_s, 3),
        "load_cpu_s": round(load_cpu, 3),
        "calculation_cpu_s": round(stats.compute_cpu_s, 3),
        "end_to_end_cpu_s": round(load_cpu + run_cpu, 3),
        "cpu_s": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime, 1
        ),
        "peak_rss_mb": round(rss_mb()),  # the child's own peak (benchlib)
    }
    if sample and not subset:
        result |= one_household(catalogue, source, persons_path, households_path, sample)
    return result


def one_household(
    catalogue: Any, source: YamlParamSource, persons_path: Path, households_path: Path, n: int
) -> dict[str, Any]:
    households = pl.read_parquet(households_path)
    picked = households.sample(n, seed=3)
    persons = (
        pl.scan_parquet(persons_path)
        .filter(pl.col("household_id").is_in(picked.get_column("household_id").implode()))
        .collect()
    )
    groups = persons.partition_by("household_id", as_dict=True)
    cases = [
        (groups[(hid,)], picked.filter(pl.col("household_id") == hid)) for hid in picked.get_column("household_id")
    ]
    timings: dict[str, list[float]] = {"eval": [], "explain": []}
    # Warm-up: the first household of each parameter value signature runs the Polars plans, which
    # record the column types the plain-Python path then reproduces (rules/engine/one.py).
    for p, h in cases[:5]:
        explain(catalogue, p, h, AS_OF, source)
    for p, h in cases:
        t = time.perf_counter()
        evaluate_household(catalogue, p, h, AS_OF, source)
        timings["eval"].append(time.perf_counter() - t)
        t = time.perf_counter()
        explain(catalogue, p, h, AS_OF, source)
        timings["explain"].append(time.perf_counter() - t)
    # Outside the timed loop: how many households the plain-Python path took (the others: the plans).
    python = sum(
        one.evaluated_rows(catalogue, one.prepare(catalogue, p, h, AS_OF, source), AS_OF, True) is not None
        for p, h in cases
    )
    print(f"  one household: {python} of {len(cases)} evaluated in plain Python, the others by the Polars plans")
    out: dict[str, Any] = {"household_python_path": python}
    for name, values in timings.items():
        arr = np.array(values) * 1000
        out[f"household_{name}_p50_ms"] = round(float(np.percentile(arr, 50)), 1)
        out[f"household_{name}_p99_ms"] = round(float(np.percentile(arr, 99)), 1)
    out["household_sample"] = len(cases)
    return out


# ---- the household panel under concurrent clients (Django, SQLite) ------------------------------


def panel_bench(clients: int, requests: int) -> None:
    """`clients` threads, each reading its own household's 可享政策 panel `requests` times.

    A fresh SQLite database and data directory under WORK (never the installation's): the test
    divisions, the shipped parameters, `clients` families of three and a vehicle feed, so every
    request runs registry + verification + rules. Measured with the cache off (DummyCache: every
    request computes, as before issue 16) and on (locmem: the first request per household computes).
    """
    panel_dir = WORK / "panel"
    shutil.rmtree(panel_dir, ignore_errors=True)
    panel_dir.mkdir(parents=True)
    os.environ["MINZHENG_DATA_DIR"] = str(panel_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{panel_dir / 'panel.sqlite3'}"
    os.environ["ALLOWED_HOSTS"] = "testserver"  # Django's test client
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    households, user = _panel_world(clients)
    off = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    on = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "panel-bench"}}
    # The second "on" round finds every household cached by the first (locmem keeps its entries
    # per LOCATION across the settings override): the first includes one computation per household.
    rounds = [("cache off", off), ("cache on, cold start", on), ("cache on, warm", on)]
    labels = {"cache off": "缓存关闭", "cache on, cold start": "缓存冷启动", "cache on, warm": "缓存已热"}
    figures: dict[str, dict[str, float]] = {}
    cpu_ms: dict[str, float] = {}  # the process's CPU per request: 20 clients on one GIL wait ≈ 20 × this
    for label, setting in rounds:
        with override_settings(CACHES=setting):
            c0 = time.process_time()
            times, wall = _panel_round(Client, households, user, requests)
            cpu = time.process_time() - c0
        if len(times) != len(households) * requests:
            raise SystemExit(f"{label}: {len(households) * requests - len(times)} requests failed")
        arr = np.array(times) * 1000
        figures[label] = {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95))}
        cpu_ms[label] = cpu / len(times) * 1000
        print(
            f"panel, {clients} clients × {requests} requests, {label}: p50 {np.percentile(arr, 50):.0f} ms,"
            f" p95 {np.percentile(arr, 95):.0f} ms, p99 {np.percentile(arr, 99):.0f} ms,"
            f" {len(times) / wall:.1f} requests/s, {cpu / len(times) * 1000:.1f} ms CPU per request"
        )
    size = f"{clients} 个并发客户端 × 每个 {requests} 次（各看自己一户，SQLite）"
    work = (
        "同一批户、同一请求（可享政策面板，含审计记录；按户页的 htmx 请求头发出，作为页面局部不再写会话）；"
        "缓存关闭即 issue 16 之前的行为"
    )
    off_fig = figures["cache off"]
    for label, fig in figures.items():
        for q in ("p50", "p95"):
            base = {} if label == "cache off" else {"baseline": round(off_fig[q], 1), "baseline_name": "缓存关闭"}
            emit("rules", f"户页可享政策面板 {labels[label]} {q}", round(fig[q], 1), "ms", size=size, work=work, **base)  # type: ignore[arg-type]
    warm_cpu = round(cpu_ms["cache on, warm"], 2)
    emit("rules", "户页可享政策面板 缓存已热 每请求 CPU", warm_cpu, "ms", size=size, work=work)
    _fingerprint_cost(households[0])


def _fingerprint_cost(pk: int) -> None:
    """What a cached answer costs before the audit row and the template: the input fingerprint."""
    from minzheng.registry.models import Household
    from minzheng.rules.cache import fingerprint

    household = Household.objects.get(pk=pk)
    took = []
    for _ in range(50):
        t = time.perf_counter()
        fingerprint(household, dt.date(2026, 7, 1))
        took.append(time.perf_counter() - t)
    p50 = float(np.percentile(np.array(took) * 1000, 50))
    print(f"fingerprint of one household, one client: p50 {p50:.1f} ms")
    emit("rules", "户页可享政策面板 输入指纹（单客户端）p50", round(p50, 2), "ms", size="一户三人")


def _panel_round(client_class: Any, households: list[int], user: Any, requests: int) -> tuple[list[float], float]:
    """One thread per household, all at once; every request's latency, and the wall time."""
    import threading

    times: list[float] = []
    lock = threading.Lock()

    def client_loop(pk: int) -> None:
        client = client_class()
        client.force_login(user)
        for _ in range(requests):
            t = time.perf_counter()
            # The headers the household page's htmx sends for its panel (a part loaded by the page).
            response = client.get(
                f"/rules/households/{pk}/panel/?as_of=2026-07-01", HTTP_HX_REQUEST="true", HTTP_X_MINZHENG_FRAGMENT="1"
            )
            took = time.perf_counter() - t
            assert response.status_code == 200 and "可享政策" in response.content.decode()
            with lock:
                times.append(took)

    threads = [threading.Thread(target=client_loop, args=(pk,)) for pk in households]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return times, time.perf_counter() - t0


def _panel_world(n: int) -> tuple[list[int], Any]:
    from minzheng.registry.services import household_create, person_create
    from minzheng.rules.engine import DEFAULT_PARAMS as SHIPPED
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.rules.services import params_import
    from minzheng.rules.tests.helpers_r2 import number
    from minzheng.testing import VILLAGE_A, load_test_divisions, make_cast
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    load_test_divisions()
    cast = make_cast()
    for path in SHIPPED:
        params_import(actor=None, path=path)
    owners = []
    pks = []
    for i in range(n):
        household = household_create(actor=None, household_no=f"HB-{i:03d}", division_code=VILLAGE_A)
        members = [
            ("张建国", "19780315", "户主", ""),
            ("李秀英", "19800422", "配偶", "残疾:肢体二级"),
            ("张小明", "20150910", "子", ""),
        ]
        for j, (name, birth, relation, tags) in enumerate(members):
            person = person_create(
                actor=None,
                household=household,
                name=name,
                id_number=number(birth, i * 3 + j),
                relation=relation,
                tags=tags,
            )
            if j == 0 and i % 2:  # every other household has a car (a 低保 refusal to explain)
                owners.append(person.id_number)
        pks.append(household.pk)
    csv = WORK / "panel" / "vehicle.csv"
    rows = [f"{o},张建国,浙B{k:05d},小型轿车,2020-05-01,80000" for k, o in enumerate(owners)]
    csv.write_text(
        "\n".join(["公民身份号码,姓名,号牌号码,车辆类型,初次登记日期,车辆价值", *rows]) + "\n", encoding="utf-8"
    )
    ingest_file("vehicle", csv, dt.date(2026, 7, 1), FeedStore(feed_store_root()), today=dt.date(2026, 7, 1))
    return pks, cast.town_officer


# ---- policyengine-core, in its own venv ---------------------------------------------------------


def pe_available() -> tuple[bool, str]:
    python = PE_VENV / "bin" / "python"
    if not python.exists():
        cmd = f"python3 -m venv {PE_VENV} && {PE_VENV}/bin/pip install policyengine-core pyarrow"
        return False, f"no venv at {PE_VENV}; create it with: {cmd}"
    probe = subprocess.run(  # noqa: S603 - our own interpreter and script
        [str(python), "-c", "import policyengine_core, pyarrow; print(policyengine_core.__name__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0, probe.stderr.strip()[-400:]


def run_pe(n_persons: int) -> dict[str, Any]:
    ok, why = pe_available()
    if not ok:
        return {"error": why}
    data = WORK / f"pop-{n_persons}"
    params = bench_params()
    codes = county_codes()
    standards = {c: int(params("dibao.standard", c + "001001", AS_OF).value) for c in codes}
    keys = [
        "dibao.deposit_cap_months", "dibao.vehicle_value_cap_months", "dibao_edge.vehicle_value_cap_months",
        "dibao.housing_area_cap", "dibao.edge_multiple", "tekun.basic_living", "orphan.amount", "gaoling.min_age",
        "gaoling.amount", "gaoling.amount_90", "gaoling.amount_100", "disability.care_subsidy",
        "virtual_job.amount", "virtual_job.min_members",
    ]  # fmt: skip
    scalars = {k: float(params(k, codes[0] + "001001", AS_OF).value) for k in keys}
    spec = {
        "persons": str(data / "persons.parquet"),
        "households": str(data / "households.parquet"),
        "standards": standards,
        "scalars": scalars,
    }
    script = Path(__file__).with_name("rules_bench_pe.py")
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script
        [str(PE_VENV / "bin" / "python"), str(script), json.dumps(spec)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-800:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ours_totals(out: Path) -> dict[str, Any]:
    """Our subset decisions summed the way the policyengine script sums its outputs (元, positives)."""
    frame = pl.scan_parquet(out / "**" / "*.parquet").filter(pl.col("eligible"))
    agg = frame.group_by("policy_id").agg(pl.col("amount_fen").sum(), pl.len()).collect()
    return {r["policy_id"]: [r["amount_fen"] / 100, r["len"]] for r in agg.sort("policy_id").iter_rows(named=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--households", type=int, default=1000, help="households timed one by one (smallest size)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--no-pe", action="store_true")
    parser.add_argument("--threads", type=int, default=0, help="Polars threads (default: all cores)")
    parser.add_argument("--panel", type=int, nargs=2, metavar=("CLIENTS", "REQUESTS"), help="the panel under load")
    args = parser.parse_args()
    if args.panel:
        panel_bench(*args.panel)
        return
    if args.child:
        n, sample, subset = int(args.child[0]), int(args.child[1]), args.child[2] == "subset"
        print(json.dumps(run_size(n, sample, subset)))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.threads:  # the same number of cores on both sides (policyengine-core computes on one)
        env["POLARS_MAX_THREADS"] = str(args.threads)
    print(f"rules benchmark, as of {AS_OF}, {os.cpu_count()} cores; data in {WORK}")
    for i, n in enumerate(args.persons):
        for mode in ("full", "subset"):
            sample = args.households if (i == 0 and mode == "full") else 0
            cmd = [sys.executable, __file__, "--child", str(n), str(sample), mode]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)  # noqa: S603 - our own interpreter and script
            if proc.returncode != 0:
                print(proc.stderr[-2000:])
                raise SystemExit(proc.returncode)
            for line in proc.stdout.strip().splitlines()[:-1]:
                print(line)
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{n:>11,} persons  {mode:<6} {json.dumps(result, ensure_ascii=False)}")
            if mode == "full":
                emit_full(n, result)
            if mode == "subset" and not args.no_pe:
                pe = run_pe(n)
                print(f"{n:>11,} persons  policyengine-core (same subset) {json.dumps(pe, ensure_ascii=False)}")
                ours = ours_totals(WORK / f"decisions-{n}-subset")
                print(f"{'':>11}          ours, same subset: {json.dumps(ours, ensure_ascii=False)}")
                if "calculate_s" in pe:
                    ratio = pe["calculate_s"] / max(result["calculation_s"], 1e-9)
                    e2e = pe["end_to_end_s"] / max(result["end_to_end_s"], 1e-9)
                    cpu = pe["calculate_cpu_s"] / max(result["calculation_cpu_s"], 1e-9)
                    print(
                        f"{'':>11}          ratio policyengine/ours: calculation {ratio:.2f}× (wall),"
                        f" {cpu:.2f}× (CPU seconds), end to end {e2e:.2f}×"
                    )
                    emit_versus_pe(n, result, pe)


def emit_full(n: int, result: dict[str, Any]) -> None:
    size = f"{n:,} 人 / {result['households']:,} 户"
    what = f"全目录 {result['policies']} 项政策"
    e2e = f"{what} 端到端（载入目录与参数、读 Parquet、计算、写决定表）"
    emit("rules", e2e, result["end_to_end_s"], "s", size=size)
    emit("rules", f"{what} 仅计算", result["calculation_s"], "s", size=size)
    cpu = f"{what} 仅计算 CPU 秒（{result['polars_threads']} 线程合计）"
    emit("rules", cpu, result["calculation_cpu_s"], "s", size=size)
    emit("rules", f"{what} 峰值内存", result["peak_rss_mb"], "MB", size=size)
    if "household_explain_p99_ms" in result:
        hh = f"{result['household_sample']:,} 户逐户，取自 {n:,} 人"
        for name, label in (("eval", "一户全部政策 判定"), ("explain", "一户全部政策 判定+中文说明")):
            emit("rules", f"{label} p50", result[f"household_{name}_p50_ms"], "ms", size=hh)
            emit("rules", f"{label} p99", result[f"household_{name}_p99_ms"], "ms", size=hh)


def emit_versus_pe(n: int, ours: dict[str, Any], pe: dict[str, Any]) -> None:
    """Ours against policyengine-core: same run, same Parquet files, same 7-policy subset."""
    size = f"{n:,} 人 / {ours['households']:,} 户，7 项政策子集"
    name = "policyengine-core 3.x（同一子集、同一批人）"
    threads = ours["polars_threads"]
    emit(
        "rules", "子集 仅计算（墙钟）", ours["calculation_s"], "s", size=size, baseline=pe["calculate_s"],
        baseline_name=name,
        work=f"ours: 由已读入的表算出全部节点并生成决定表（{threads} 线程）；"
        "theirs: sim.calculate 7 个输出变量（单线程 numpy），不含模拟构建",
    )  # fmt: skip
    emit(
        "rules", "子集 仅计算（CPU 秒）", ours["calculation_cpu_s"], "s", size=size,
        baseline=pe["calculate_cpu_s"], baseline_name=name,
        work="同上，各自进程的 CPU 秒（所有线程之和）：与核数无关",
    )  # fmt: skip
    emit(
        "rules", "子集 端到端（墙钟）", ours["end_to_end_s"], "s", size=size, baseline=pe["end_to_end_s"],
        baseline_name=name,
        work="ours: 载入目录与参数表 + 读 Parquet + 计算 + 写决定表 Parquet；"
        "theirs: 构建 TaxBenefitSystem（变量与参数）+ 读 Parquet + 模拟构建 + 计算（不写结果）",
    )  # fmt: skip
    emit(
        "rules", "子集 端到端（CPU 秒）", ours["end_to_end_cpu_s"], "s", size=size,
        baseline=pe["end_to_end_cpu_s"], baseline_name=name, work="同上，CPU 秒",
    )  # fmt: skip
    emit("rules", "policyengine-core 模拟构建（SimulationBuilder + set_input，单列）", pe["setup_s"], "s", size=size)
    emit("rules", "policyengine-core 构建 TaxBenefitSystem（单列）", pe["system_s"], "s", size=size)
    emit("rules", "ours 载入目录与参数表（已计入端到端）", ours["load_s"], "s", size=size)


if __name__ == "__main__":
    main()
