"""Identity matching benchmark: Splink residue rows per second, with recall and precision.

    .venv/bin/python bench/matching_bench.py [--persons 300000] [--k 20000]

A generated county of `--persons` residents is the registry; the feed is 4·k messy rows of
residents (transposed digits, a substituted digit, a wrong check digit with a homophone name, no
number) plus k strangers with valid numbers the registry lacks and a resident's name: 5·k residue
rows, all of them going to Splink. Prints seconds, rows/s, peak memory and row-level recall and
precision (top candidate) at several weight thresholds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import emit, rss_mb, set_size

from minzheng.verification.engine.matching import match_snapshot
from minzheng.verification.tests import matching_fixtures as fx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--k", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        people = fx.county(Path(tmp), args.persons, seed=11)
    registry = fx.registry_table(people)
    rows, truth = fx.hard_mess(people, args.k, seed=5)
    started = time.perf_counter()
    result = match_snapshot(rows, registry, feed="bench", as_of=fx.AS_OF)
    seconds = time.perf_counter() - started
    peak_mb = rss_mb()
    print(
        f"registry {registry.num_rows:,} persons; residue {result.residue:,} rows; {seconds:.1f} s "
        f"({result.residue / seconds:,.0f} rows/s; {seconds * 100_000 / result.residue:.1f} s per 100k); "
        f"peak RSS {peak_mb:,.0f} MB; candidates {result.links.num_rows:,}"
    )
    set_size(f"{registry.num_rows:,} 名居民、{result.residue:,} 行无号/错号数据")
    emit("matching", "Splink 匹配", round(result.residue / seconds), "rows/s")
    emit("matching", "峰值内存", round(peak_mb), "MB")
    best: dict[int, dict] = {}
    for link in result.links.to_pylist():
        if link["_row"] not in best or link["match_weight"] > best[link["_row"]]["match_weight"]:
            best[link["_row"]] = link
    kinds = ("transposed", "substituted", "check+homophone", "missing")
    for i, kind in enumerate(kinds):
        wanted = range(2 + i, 2 + 4 * args.k, 4)
        queued = sum(1 for r in wanted if r in best)
        top = sum(1 for r in wanted if r in best and best[r]["person_id_number"] == truth[r - 2])
        print(
            f"  {kind:16s} rows {len(wanted):,}: with a candidate {queued / len(wanted):.4f}, "
            f"top-1 right {top / len(wanted):.4f}"
        )
    strangers = range(2 + 4 * args.k, 2 + 5 * args.k)
    print(
        f"  strangers        rows {len(strangers):,}: "
        f"with a candidate {sum(r in best for r in strangers) / len(strangers):.4f}"
    )
    for threshold in (-4.0, 0.0, 5.0, 10.0):
        linked = [r for r, b in best.items() if b["match_weight"] >= threshold]
        right = sum(1 for r in linked if best[r]["person_id_number"] == truth[r - 2])
        true_rows = 4 * args.k
        print(
            f"  weight ≥ {threshold:5.1f}: precision {right / max(len(linked), 1):.4f}, recall {right / true_rows:.4f}"
        )
        if threshold == 0.0:
            emit("matching", "权重 ≥ 0 时精确率", round(right / max(len(linked), 1), 4), "", lower_is_better=False)


if __name__ == "__main__":
    main()
