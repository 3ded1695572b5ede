"""bench/run_all.py: one real (small) benchmark run becomes docs/benchmarks.md, ratios from the script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_emit_prints_the_ratio_from_both_measurements(capsys) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import benchlib
    finally:
        sys.path.remove(str(ROOT / "bench"))
    benchlib.set_size("10 户")
    benchlib.emit("t", "取数 p99", 5.0, "ms", baseline=20.0, baseline_name="PostgreSQL", work="同样的 10 户")
    benchlib.emit("t", "导入", 40_000, "rows/s", size="1 行", baseline=10_000, baseline_name="逐行")
    lines = [json.loads(line[6:]) for line in capsys.readouterr().out.splitlines() if line.startswith("BENCH ")]
    assert [(f["case"], f["size"], f["ratio"]) for f in lines] == [("取数 p99", "10 户", 4.0), ("导入", "1 行", 4.0)]


def test_a_quick_run_writes_the_page_with_the_machine_and_the_same_run_ratio(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--quick", "--only", "dispatch", "--out", str(out),
         "--logs", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = out.read_text(encoding="utf-8")
    assert "冒烟运行" in page and "- 提交：" in page and "- CPU：" in page
    assert "## 居家养老派单与排班" in page and "通过" in page
    row = next(line for line in page.splitlines() if line.startswith("| 即时派单每单 p99（同 500 单，不预订）"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3].startswith("逐单遍历护理员列表：") and cells[4].endswith("×")  # baseline and ratio, same run
    assert (tmp_path / "logs" / "dispatch.log").read_text(encoding="utf-8").count("BENCH ") == 3


def test_an_unknown_benchmark_is_refused_in_chinese(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--only", "nosuch", "--out", str(tmp_path / "x.md")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "未知的基准：nosuch" in done.stderr
    assert not (tmp_path / "x.md").exists()


def test_the_readme_table_is_replaced_between_its_markers_and_a_partial_run_may_not_write_it(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run_all
    finally:
        sys.path.remove(str(ROOT / "bench"))
    readme = tmp_path / "README.md"
    readme.write_text(f"# 标题\n\n{run_all.START}\n| 旧表 |\n{run_all.END}\n\n文档\n", encoding="utf-8")
    bench = next(b for b in run_all.BENCHES if b.key == "dispatch")
    fig = {"case": "即时派单 p99", "value": 0.5, "unit": "ms", "size": "1 万单", "baseline": 2.0,
           "baseline_name": "逐单遍历", "ratio": 4.0}  # fmt: skip
    outcome = run_all.Outcome(bench, [], 0, 1.0, (0.1, 0, 0), (0.2, 0, 0), figures=[fig])
    facts = {"日期": "2026-12-05 03:00 UTC", "提交": "abc1234", "CPU": "某 CPU，2 核"}
    run_all.update_readme(readme, run_all.readme_block(facts, [outcome]))
    text = readme.read_text(encoding="utf-8")
    assert "旧表" not in text and text.startswith("# 标题") and text.endswith("\n\n文档\n")
    assert "| 1 万单 | 即时派单 p99 0.5 ms（同一次运行的逐单遍历 2 ms，4.00×） |" in text
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--only", "dispatch", "--readme", str(readme)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "只用于完整运行" in done.stderr
