"""Pass 1 on two cores (importing/split.py): the same staging, results and rejects as one process.

The pieces are made tiny here (a few rows each) so that small files are cut into many of them and
the worker process takes some; everything is compared with the one-process path on the same file.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from minzheng.core.tabular import TabularError
from minzheng.registry import importing
from minzheng.registry.importing import residents_import, split, stage
from minzheng.registry.models import Person
from minzheng.registry.tests.test_import import HEADER, counts, registry_state, rejects
from minzheng.registry.tests.test_import_pg_update import _user, files, wipe
from minzheng.testing import load_test_divisions

# About 25 rows a piece, whatever the machine's load (other work may share it while tests run).
SPLIT = {"IMPORT_SPLIT_MIN_BYTES": 1, "IMPORT_SPLIT_PIECE_BYTES": 2500, "IMPORT_SPLIT_MAX_LOAD": 1e9}
WHOLE = {"IMPORT_SPLIT_MIN_BYTES": 1 << 40}


def _odd_file(tmp_path: Path, encoding: str = "utf-8") -> Path:
    """600 generated rows with bad cells, blank lines, a 户 spread apart and a late repeat of an early number."""
    from minzheng.demo.generator import write_residents_file

    source = tmp_path / "gen.csv"
    write_residents_file(source, persons=601, seed=11)
    *lines, extra = source.read_text(encoding="utf-8-sig").splitlines()[1:]
    out: list[str] = []
    for i, line in enumerate(lines):
        cells = line.split(",")
        if i % 37 == 5:
            cells[1] = cells[1][:-1] + ("0" if cells[1][-1] != "0" else "1")  # wrong check digit
        if i % 41 == 7:
            cells[4] = "330212999999"  # no such village
        if i % 53 == 9:
            cells[9] = "12345"  # not a phone number
        out.append(",".join(cells))
        if i % 29 == 3:
            out.append(",,,,,,,,,,")  # blank: skipped, not numbered
    out.append(lines[2])  # the number of row 4 again, in the last piece
    first, moved = lines[0].split(","), extra.split(",")
    moved[2:9] = [first[2], "子", first[4], "第九网格", *first[6:9]]  # row 2's 户, another address
    out.append(",".join(moved))
    path = tmp_path / f"odd-{encoding}.csv"
    path.write_text("\n".join([HEADER, *out]) + "\n", encoding=encoding)
    return path


def _wait_for_worker(tmp_path: Path) -> Any:
    """A progress callback that lets the worker claim the last piece before this process goes on.

    Small files are read before the worker has started; real ones are not.
    """

    def progress(done: int, total: int) -> None:
        for _ in range(1200 if list(tmp_path.glob("*.split-*")) else 0):
            claimed = [int(p.name) for p in tmp_path.glob("*.split-*/claims/*")]
            if len(claimed) > 1 and max(claimed) > 0:
                return
            time.sleep(0.05)

    return progress


def _staged(tmp_path: Path, path: Path, name: str, **conf: float) -> list[tuple[Any, ...]]:
    """Staging after pass 1 (rows and file-wide rules) of `path` under the given settings."""
    conn = stage.stage_open(tmp_path / f"{name}.sqlite")
    with override_settings(**conf):
        importing._stage_file(conn, path, _wait_for_worker(tmp_path), "", True)
    rows = conn.execute("SELECT * FROM rows ORDER BY row_no").fetchall()
    assert stage.stage_is_complete(conn)
    conn.close()
    return rows


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_split_staging_equals_one_process(
    county: None, tmp_path: Path, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = _odd_file(tmp_path, encoding)
    with override_settings(**SPLIT):
        ranges = split.pieces(path)
    assert ranges is not None and len(ranges) > 20
    whole = _staged(tmp_path, path, "whole", **WHOLE)
    with caplog.at_level(logging.INFO, logger=split.__name__):
        halves = _staged(tmp_path, path, "split", **SPLIT)
    assert "read by the worker" in caplog.text
    taken = re.search(r"pieces, (\d+) of them", caplog.text)
    assert taken is not None and int(taken[1]) > 0  # the worker took pieces (not a substring test: "20 of them")
    assert halves == whole
    reasons = [r[2] for r in whole if r[2]]
    assert len(whole) == 602 and len(reasons) > 40
    # Row numbers run across the pieces: the late repeat names row 4, its 户's address row 2.
    assert whole[-2][2].startswith("公民身份号码：与第 4 行重复")
    assert "第 2 行的住址不一致" in whole[-1][2]
    assert [r[0] for r in whole] == list(range(2, 604))
    assert not list(tmp_path.glob("*.split-*"))  # the worker's scratch is gone


def test_cut_inside_quotes_reads_the_file_whole(county: None, tmp_path: Path) -> None:
    """Cells holding line breaks: cuts fall inside quotes, the pieces are refused, one process reads it."""
    path = _odd_file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted = [lines[0]] + [line.replace(",第", ',"第\n', 1).replace("网格,", '网格",', 1) for line in lines[1:]]
    path.write_text("\n".join(quoted) + "\n", encoding="utf-8")
    assert "\n" in _staged(tmp_path, path, "whole", **WHOLE)[0][1]
    assert _staged(tmp_path, path, "split", **SPLIT) == _staged(tmp_path, path, "whole2", **WHOLE)


def test_broken_quote_late_in_the_file_names_the_same_line(county: None, tmp_path: Path) -> None:
    path = _odd_file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[500] = lines[500].replace(",第", ',"第', 1)  # an unclosed quote swallows the rest
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    messages = []
    for conf in (WHOLE, SPLIT):
        with override_settings(**conf), pytest.raises(TabularError) as caught:
            residents_import(path=path, actor=None)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "501" in messages[0]
    assert not Person.objects.exists()


def test_spreadsheets_and_small_files_are_read_by_one_process(tmp_path: Path) -> None:
    xlsx = tmp_path / "居民.xlsx"
    xlsx.write_bytes(b"x" * 10_000)
    with override_settings(**SPLIT):
        assert split.pieces(xlsx) is None
    small = tmp_path / "居民.csv"
    small.write_text(HEADER + "\n" + "a,b\n" * 2000, encoding="utf-8")
    assert split.pieces(small) is None  # the default threshold: about 130,000 rows
    with override_settings(**SPLIT):
        assert split.pieces(small) is not None
    with override_settings(**SPLIT | {"IMPORT_SPLIT_MAX_LOAD": 0}):
        assert split.pieces(small) is None  # no core free: one process


def _kill_worker(done: int, total: int) -> None:
    """A progress callback that kills the worker process (this process's child running split)."""
    me = os.getpid()
    for child in Path(f"/proc/{me}/task/{me}/children").read_text().split():
        if "split" in Path(f"/proc/{child}/cmdline").read_text():
            os.kill(int(child), signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_fails_clearly_and_a_rerun_reads_the_file_again(tmp_path: Path) -> None:
    load_test_divisions()
    path = _odd_file(tmp_path)
    saved: dict[str, Any] = {}
    with override_settings(**SPLIT), pytest.raises(split.WorkerFailed, match="导入校验子进程意外退出"):
        residents_import(path=path, actor=None, progress=_kill_worker, on_chunk=saved.update)
    assert not Person.objects.exists()
    staging = sqlite3.connect(saved["stage"])
    assert staging.execute("SELECT COUNT(*) FROM rows").fetchone() == (0,)  # nothing half-staged
    assert not stage.stage_is_complete(staging)
    staging.close()
    with override_settings(**SPLIT):
        resumed = residents_import(path=path, actor=None, checkpoint=saved)
    state = registry_state()
    wipe()
    with override_settings(**WHOLE):
        whole = residents_import(path=path, actor=None)
    assert counts(resumed) == counts(whole) and counts(whole)[2] > 40
    assert registry_state() == state
    assert rejects(resumed) == rejects(whole)


@pytest.mark.django_db(transaction=True)
def test_split_import_equals_one_process_first_load_and_populated(tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: a first load, then a file with every kind of change, both ways."""
    load_test_divisions()
    user = _user()
    base, mixed = files(tmp_path)
    results = []
    for conf in (WHOLE, SPLIT):
        wipe()
        with override_settings(**conf):
            first = residents_import(path=base, actor=user)
            second = residents_import(path=mixed, actor=user, original_name="mixed.csv")
        results.append((counts(first), counts(second), registry_state(), rejects(second)))
    assert results[0] == results[1]
    assert results[0][1][2] >= 3  # the mixed file's bad rows are there
