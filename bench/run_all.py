#!/usr/bin/env python3
"""Run every benchmark once, one after another, and write docs/benchmarks.md from that one run.

Usage: .venv/bin/python bench/run_all.py [--only import,verify,…] [--all] [--quick] [--out docs/benchmarks.md]
                                         [--postgres postgres://postgres@127.0.0.1:5432]

Each script under bench/ prints its human-readable lines and one `BENCH {json}` line per key figure
(`benchlib.emit`): the value, the data size, and where the script measured a baseline in the same
run doing the same work, the baseline and the ratio the script computed. This runner only collects
those lines: it never computes a ratio itself. The page records the machine (CPU, cores, memory),
the date, the commit and the load average before and after each script, because wall-clock figures
on a shared machine mean little without it.

PostgreSQL benchmarks get a fresh empty database each (`bench_<name>`, dropped and created here).
`--quick` runs every script at a small size (a smoke run: the figures are not the issue's sizes).
The scripts run one at a time: two at once would each measure the other's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bench:
    key: str  # --only name and the PostgreSQL database suffix
    title: str  # the section heading in docs/benchmarks.md
    script: str
    full: tuple[str, ...]  # arguments at the sizes
    quick: tuple[str, ...]  # arguments for a smoke run
    postgres: bool = False  # gets --database-url of a fresh empty database
    policyengine: bool = False  # compares with policyengine-core, which lives in its own throwaway venv
    default: bool = True  # part of a plain run (False: only when named with --only)


BENCHES: tuple[Bench, ...] = (
    Bench("import", "居民导入（SQLite）", "import_bench.py",
          full=("--rows", "1000000"), quick=("--rows", "5000", "--searches", "30")),
    Bench("import_pg", "居民导入（PostgreSQL）", "import_bench.py",
          full=("--rows", "1000000"), quick=("--rows", "5000", "--searches", "30"), postgres=True),
    Bench("verify", "一键核对与批量复核", "verify_bench.py",
          full=("--households", "1000000", "--chunk", "25000", "--sample", "1000"),
          quick=("--households", "2000", "--sample", "50", "--no-postgres")),
    # Issue 16 asks the one-household figures at 100,000 households too (about 2 min: not in a plain run).
    Bench("verify_100k", "一键核对（100,000 户）", "verify_bench.py",
          full=("--households", "100000", "--chunk", "25000", "--sample", "1000"),
          quick=("--households", "2000", "--sample", "50", "--no-postgres"), default=False),
    # Spark local mode on the same generated data as DuckDB (10–20 min at 1M on 2 cores: not in a plain run).
    Bench("verify_spark", "批量复核：Spark 本地模式与 DuckDB", "verify_bench.py",
          full=("--households", "1000000", "--chunk", "25000", "--sample", "200", "--no-postgres", "--spark",
                "--spark-chunk", "200000"),
          quick=("--households", "2000", "--sample", "20", "--no-postgres", "--spark"), default=False),
    Bench("rules", "规则引擎", "rules_bench.py",
          full=("--persons", "1000000", "--households", "1000"), quick=("--persons", "20000", "--no-pe"),
          policyengine=True),
    Bench("panel", "户页“可享待遇”面板（并发）", "rules_bench.py",
          full=("--panel", "20", "10"), quick=("--panel", "3", "2")),
    Bench("cases", "案件与待办（SQLite）", "cases_bench.py",
          full=("--cases", "100000"), quick=("--cases", "1000", "--requests", "10")),
    Bench("cases_pg", "案件与待办（PostgreSQL）", "cases_bench.py",
          full=("--cases", "100000"), quick=("--cases", "1000", "--requests", "10"), postgres=True),
    Bench("payroll", "月度发放", "payroll_bench.py",
          full=("--entitlements", "1000000"), quick=("--entitlements", "3000")),
    Bench("dashboard", "民政大脑", "dashboard_bench.py",
          full=("--persons", "1000000", "--requests", "100"), quick=("--persons", "3000", "--requests", "5")),
    Bench("dispatch", "居家养老派单与排班", "dispatch_bench.py",
          full=("--sizes", "500x50,1000x100", "--long", "30"),
          quick=("--sizes", "60x6", "--long", "2", "--short", "1", "--orders", "500", "--caregivers", "200")),
    Bench("matching", "无号/错号身份匹配", "matching_bench.py",
          full=(), quick=("--persons", "20000", "--k", "500")),
)  # fmt: skip


@dataclass
class Outcome:
    bench: Bench
    argv: list[str]
    code: int
    seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    figures: list[dict[str, object]] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)  # the last output lines, kept when the script failed


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "")
    mem_kb = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = "（含未提交的改动）" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return {
        "日期": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "提交": commit + dirty,
        "CPU": f"{cpu or platform.processor()}，{os.cpu_count()} 核",
        "内存": f"{mem_kb / 1024 / 1024:.0f} GB",
        "系统": f"{platform.system()} {platform.release()}，Python {platform.python_version()}",
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
    return done.stdout.strip()


def fresh_database(base: str, name: str) -> str:
    """Drop and create an empty PostgreSQL database; its URL."""
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def policyengine_venv(log_dir: Path) -> Path:
    """policyengine-core (AGPL) in a throwaway venv under this run's scratch directory, never in ours."""
    venv = Path(os.environ.get("MZ_PE_VENV", log_dir / "pe-venv"))
    if not (venv / "bin" / "python").exists():
        print(f"policyengine-core 安装到临时环境 {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
        pip = [str(venv / "bin" / "pip"), "install", "-q", "policyengine-core", "pyarrow"]
        subprocess.run(pip, check=True)  # noqa: S603
    return venv


def run_one(bench: Bench, *, quick: bool, postgres: str, log_dir: Path) -> Outcome:
    argv = [sys.executable, str(ROOT / "bench" / bench.script), *(bench.quick if quick else bench.full)]
    if bench.postgres:
        argv += ["--database-url", fresh_database(postgres, f"bench_{bench.key}")]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if bench.policyengine and not quick:
        env["MZ_PE_VENV"] = str(policyengine_venv(log_dir))
    env.pop("DATABASE_URL", None)  # SQLite unless the bench is given a database
    load_before, started = os.getloadavg(), time.perf_counter()
    log = log_dir / f"{bench.key}.log"
    lines: list[str] = []
    with log.open("w", encoding="utf-8") as out:
        # Our own scripts, run by this interpreter: nothing from outside reaches argv.
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            lines.append(line.rstrip("\n"))
            print(f"  [{bench.key}] {line.rstrip()}", flush=True)
        code = proc.wait()
    outcome = Outcome(bench, argv[1:], code, time.perf_counter() - started, load_before, os.getloadavg())
    outcome.figures = [json.loads(line[6:]) for line in lines if line.startswith("BENCH {")]
    if code != 0:
        outcome.tail = lines[-25:]
    return outcome


def _value(value: object, unit: str) -> str:
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    else:
        text = f"{int(value):,}" if isinstance(value, int | float) else str(value)
    return f"{text} {unit}".strip()


def _figure_row(fig: dict[str, object]) -> str:
    unit = str(fig.get("unit", ""))
    baseline = ratio = ""
    if "baseline" in fig:
        baseline = f"{fig.get('baseline_name', '')}：{_value(fig['baseline'], unit)}"
        ratio = f"{fig['ratio']:.2f}×" if isinstance(fig.get("ratio"), int | float) else "—"
    cells = [str(fig["case"]), _value(fig["value"], unit), str(fig.get("size", "")), baseline, ratio]
    cells.append(str(fig.get("work", "")))
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def render(facts: dict[str, str], outcomes: list[Outcome], *, quick: bool) -> str:
    out = ["# 性能基准（一次运行）", ""]
    out.append("由 `bench/run_all.py` 生成，请勿手改。每个数字都来自下面这一次运行；“对照”一栏是同一脚本在同一次运行中")
    out.append("对同样的数据、做同样的事测得的基线，“倍数”由脚本根据两边的测量算出（大于 1 表示我们更好）。")
    out.append("")
    if quick:
        out += ["> **这是 `--quick` 冒烟运行：数据规模很小，数字不代表正式规模。**", ""]
    out += [f"- {k}：{v}" for k, v in facts.items()]
    out.append("")
    for o in outcomes:
        status = "通过" if o.code == 0 else f"**失败（退出码 {o.code}）**"
        out += [f"## {o.bench.title}", ""]
        command = " ".join(o.argv).replace(str(ROOT) + "/", "")
        out.append(f"`python {command}`：{status}，用时 {o.seconds:,.0f} 秒；开始时负载 {o.load_before[0]:.2f}，")
        out.append(f"结束时 {o.load_after[0]:.2f}（1 分钟平均，{os.cpu_count()} 核）。")
        out.append("")
        if o.figures:
            out.append("| 指标 | 数值 | 数据规模 | 对照（同一次运行） | 倍数 | 两边包含的工作 |")
            out.append("|---|---|---|---|---|---|")
            out += [_figure_row(fig) for fig in o.figures]
            out.append("")
        if o.tail:
            out += ["```", *o.tail, "```", ""]
    return "\n".join(out)


START, END = "<!-- bench:start (written by bench/run_all.py) -->", "<!-- bench:end -->"


def _short(fig: dict[str, object]) -> str:
    unit = str(fig.get("unit", ""))
    text = f"{fig['case']} {_value(fig['value'], unit)}"
    if isinstance(fig.get("ratio"), int | float):
        baseline = f"{fig.get('baseline_name', '对照')} {_value(fig['baseline'], unit)}"
        text += f"（同一次运行的{baseline}，{fig['ratio']:.2f}×）"
    return text


def readme_block(facts: dict[str, str], outcomes: list[Outcome]) -> str:
    """The README's table: every figure of this run, per benchmark, nothing from elsewhere."""
    out = [START, f"一次运行：{facts['日期']}，提交 {facts['提交']}，{facts['CPU']}；方法与全部数字见",
           "[docs/benchmarks.md](docs/benchmarks.md)。", "", "| 基准 | 数据规模 | 结果 |",
           "| --- | --- | --- |"]  # fmt: skip
    for o in outcomes:
        sizes = "；".join(dict.fromkeys(str(f.get("size", "")) for f in o.figures if f.get("size")))
        result = "；".join(_short(f) for f in o.figures) if o.code == 0 else f"失败（退出码 {o.code}）"
        out.append(f"| {o.bench.title}（`bench/{o.bench.script}`） | {sizes} | {result.replace('|', '/')} |")
    return "\n".join([*out, END])


def update_readme(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if START.split(" (")[0] not in text or END not in text:
        raise SystemExit(f"{path} 中没有基准表的标记（{START} … {END}）")
    head, rest = text.split(START.split(" (")[0], 1)
    tail = rest.split(END, 1)[1]
    path.write_text(head + block + tail, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated keys: " + ",".join(b.key for b in BENCHES))
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not the issue's figures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--logs", type=Path, help="where each script's full output goes (default: a temp dir)")
    parser.add_argument("--readme", type=Path, help="rewrite this README's benchmark table (a full run of all)")
    parser.add_argument("--all", action="store_true", help="also the scripts not in a plain run (verify_100k, Spark)")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else {b.key for b in BENCHES if b.default or args.all}
    unknown = wanted - {b.key for b in BENCHES}
    if unknown:
        parser.error(f"未知的基准：{', '.join(sorted(unknown))}")
    if args.readme and (args.quick or args.only):  # the README quotes one whole run at the stated sizes
        parser.error("--readme 只用于完整运行（不加 --quick、--only）")
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="minzheng-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    facts = machine()
    outcomes = []
    for bench in (b for b in BENCHES if b.key in wanted):
        print(f"== {bench.key}: {bench.title} ({time.strftime('%H:%M:%S')}) ==", flush=True)
        outcomes.append(run_one(bench, quick=args.quick, postgres=args.postgres, log_dir=log_dir))
    args.out.write_text(render(facts, outcomes, quick=args.quick) + "\n", encoding="utf-8")
    if args.readme:
        update_readme(args.readme, readme_block(facts, outcomes))
    failed = [o.bench.key for o in outcomes if o.code != 0]
    print(f"wrote {args.out}; full output in {log_dir}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
