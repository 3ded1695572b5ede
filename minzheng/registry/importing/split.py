"""Pass 1 on two cores: a large CSV read, checked and staged in pieces by this process and a worker.

Reading, the per-row checks and the staging inserts are Python on one core (about three quarters of
pass 1); the machine has two. The file is cut into pieces of about PIECE_BYTES just after a line
break. This process takes pieces from the front, a worker process (`worker_main`) from the back;
each claims a piece by creating its claim file (O_EXCL), so every piece is read exactly once, and
however slowly the worker starts, the two meet where their work is even. This process stages its
pieces straight into `rows` with their row numbers; the worker stages its own into a scratch SQLite
file with piece-local numbers, which are renumbered while copied into `rows` at the end (by SQL, in
row order). So staging holds what the one-process path would write, row for row.

Why a cut after a line break is safe: CSV parsing restarts cleanly at the start of a record. A cut
inside a quoted cell (a cell with a line break in it) leaves the piece before it ending inside the
quotes, which the strict reader refuses; any refusal (or any other file error) throws the split
away and the file is read whole by one process, which names the line as before. A worker that
fails otherwise (killed, a bug) fails the import with a clear message; staging is emptied and not
marked complete, so a job re-run reads the file again. A worker whose parent dies stops after its
current batch and removes its file.

Not used for spreadsheets (calamine reads a sheet whole), small files (the worker's start-up,
Django included, costs about a second), a single CPU, or a machine loaded beyond its cores by other work.
"""

from __future__ import annotations

import gc
import itertools
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from minzheng.core.tabular import EXCEL_SUFFIXES, TabularError, csv_piece
from minzheng.registry.importing import stage
from minzheng.registry.importing.columns import BatchParser
from minzheng.registry.importing.rows import RowParser

log = logging.getLogger(__name__)
PIECE_BYTES = 4 << 20  # about 40,000 rows: fine enough to balance, coarse enough to cost nothing
MIN_BYTES = 12 << 20  # below about 130,000 rows the worker's start-up is not worth it
_SHIFT = 32  # the worker numbers piece i's rows (i << _SHIFT) + 1, 2, …
_FILE_ERROR = 3  # the worker's exit code for a TabularError: read the file whole instead
WORKER_FAILED = "导入校验子进程意外退出（{detail}），本次未写入任何数据；请重新运行导入"


# The worker loads the project's settings with only the apps pass 1 imports (their ready() included):
# all of them took about 3 CPU-seconds to start, these about 1. Should that ever fail (an app added to
# what the registry imports), the worker starts again with every app.
_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "minzheng.core", "minzheng.accounts"]
_APPS += ["minzheng.audit", "minzheng.divisions", "minzheng.registry", "minzheng.jobs"]
_FULL_BOOT = "import django; django.setup(); from minzheng.registry.importing.split import worker_main; worker_main()"
_BOOT = f"""
import importlib, os, sys, django
from django.conf import settings
try:
    full = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    settings.configure(**{{k: getattr(full, k) for k in dir(full) if k.isupper()}} | {{"INSTALLED_APPS": {_APPS!r}}})
    django.setup()
except Exception:
    os.execv(sys.executable, [sys.executable, "-c", {_FULL_BOOT!r}])
from minzheng.registry.importing.split import worker_main
worker_main()
"""


class Redo(Exception):
    """The pieces could not be read as they are (a file error, or a cut inside quotes): read it whole."""


class WorkerFailed(RuntimeError):
    """The worker process failed; the message is Chinese."""


def pieces(path: Path) -> list[tuple[int, int]] | None:
    """Byte ranges [start, stop) covering the file, each after the first starting after a line break.

    None when the file is read by one process: a spreadsheet, a small file, one CPU, no settings
    module for the worker to load.
    """
    piece = int(getattr(settings, "IMPORT_SPLIT_PIECE_BYTES", PIECE_BYTES))
    smallest = int(getattr(settings, "IMPORT_SPLIT_MIN_BYTES", MIN_BYTES))
    if path.suffix.lower() in EXCEL_SUFFIXES or _cpus() < 2 or not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return None
    # On a machine busy with other work the worker only adds its start-up (measured on 2 cores: pass 1
    # wall −20% at load 2.2, +12% at load 4). The load counts this import's own process once it has run
    # a while (about 1.0 on an idle machine, e.g. before an import into a populated registry), so the gate
    # sits above the core count; below it (cores − 0.5) every such import had run on one process.
    busiest = float(getattr(settings, "IMPORT_SPLIT_MAX_LOAD", _cpus() + 0.5))
    if os.getloadavg()[0] >= busiest:
        return None
    size = path.stat().st_size
    if size < max(smallest, 2 * piece):
        return None
    cuts = [0]
    with path.open("rb") as fh:
        while (cut := _line_start_after(fh, cuts[-1] + piece)) is not None and cut < size:
            cuts.append(cut)
    cuts.append(size)
    return list(itertools.pairwise(cuts)) if len(cuts) > 2 else None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _line_start_after(fh: Any, offset: int) -> int | None:
    """The offset just after the first b"\\n" at or after `offset` (GBK and UTF-8 never use that byte
    inside a character), None at the end of the file."""
    fh.seek(offset)
    while block := fh.read(1 << 16):
        if (at := block.find(b"\n")) >= 0:
            return offset + at + 1
        offset += len(block)
    return None


def _claim(claims: Path, piece: int) -> bool:
    try:
        os.close(os.open(claims / str(piece), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


class _Worker:
    """The worker process, its progress and piece counts as it reports them (a reader thread)."""

    def __init__(self, config: dict[str, Any], scratch: Path) -> None:
        root = str(Path(__file__).resolve().parents[3])  # the directory holding the minzheng package
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.stderr = (scratch / "stderr").open("w+b")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            cwd=root,
        )
        self.rows = 0
        self.counts: dict[int, int] = {}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(config).encode() + b"\n")
        self.proc.stdin.close()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            kind, *values = line.split()
            if kind == b"progress":
                self.rows += int(values[0])
            elif kind == b"piece":
                self.counts[int(values[0])] = int(values[1])

    def finish(self) -> None:
        """Wait for the worker; Redo on a file error, WorkerFailed on any other failure."""
        code = self.proc.wait()
        self.thread.join()
        if code == _FILE_ERROR:
            raise Redo
        if code != 0:
            self.stderr.seek(0)
            last = self.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:]
            raise WorkerFailed(WORKER_FAILED.format(detail=f"退出码 {code}；{''.join(last)[:300]}"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()


def stage_rows(
    conn: sqlite3.Connection,
    path: Path,
    ranges: list[tuple[int, int]],
    table: Any,
    parser: RowParser,
    batch: int,
    progress: Callable[[int, int], None] | None,
    villages: set[str],
    jurisdiction: str,
) -> None:
    """Stage every row of `path` (open as `table`, read up to the first cut) in row order, in two processes."""
    stage_file = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    scratch = Path(tempfile.mkdtemp(prefix=f"{stage_file.name}.split-", dir=stage_file.parent))
    claims = scratch / "claims"
    claims.mkdir()
    _claim(claims, 0)  # ours: it holds the header, already read
    out = scratch / f"worker-{uuid.uuid4().hex[:8]}.sqlite"
    config = {
        "path": str(path),
        "encoding": table.encoding,
        "ranges": ranges,
        "width": len(table.headers),
        "headers": parser.headers,
        "villages": sorted(villages),
        "jurisdiction": jurisdiction,
        "today": parser.today.isoformat(),
        "claims": str(claims),
        "out": str(out),
        "batch": batch,
    }
    worker = _Worker(config, scratch)
    try:
        checks = BatchParser(parser)
        done, piece = 0, 0
        while piece < len(ranges) and (piece == 0 or _claim(claims, piece)):
            start, stop = ranges[piece]
            rows = table.rows if piece == 0 else csv_piece(path, table.encoding, start, stop, len(table.headers))
            for staged in stage.stage_stream(conn, checks, rows, 2 + done, batch):
                done += staged
                if progress:
                    progress(done + worker.rows, 0)
            piece += 1
        worker.finish()
        conn.commit()
        _merge(conn, out, done, [(p, worker.counts.get(p)) for p in range(piece, len(ranges))])
        log.info(
            "pass 1 of %s: %d pieces, %d of them (%d rows) read by the worker",
            path.name,
            len(ranges),
            len(ranges) - piece,
            worker.rows,
        )
    except TabularError as exc:
        raise Redo from exc
    finally:
        worker.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _merge(conn: sqlite3.Connection, out: Path, done: int, theirs: list[tuple[int, int | None]]) -> None:
    """The worker's pieces into `rows` after ours, renumbered in file order."""
    if any(count is None for _, count in theirs):
        raise WorkerFailed(WORKER_FAILED.format(detail="未报告全部分段"))
    columns = ", ".join(["cells", "reason", *stage.FIELDS])
    conn.execute("ATTACH DATABASE ? AS worker", (str(out),))
    try:
        next_no = 2 + done
        for piece, count in theirs:
            low = piece << _SHIFT
            conn.execute(
                f"INSERT INTO rows SELECT row_no - ? + ?, {columns} FROM worker.rows "  # noqa: S608 - our columns
                "WHERE row_no > ? AND row_no <= ? ORDER BY row_no",
                (low + 1, next_no, low, low + (count or 0)),
            )
            next_no += count or 0
        conn.commit()
    finally:
        conn.execute("DETACH DATABASE worker")


def worker_main() -> None:
    """The worker: claim pieces from the back, stage them into its own file; report on stdout."""
    config = json.loads(sys.stdin.readline())
    gc.disable()  # as in the import itself: no reference cycles in the row loops
    import datetime as dt

    parser = RowParser(config["headers"], set(config["villages"]), config["jurisdiction"])
    parser.today = dt.date.fromisoformat(config["today"])  # the parent's: one verdict on "future" per file
    checks = BatchParser(parser)
    claims, out, parent = Path(config["claims"]), Path(config["out"]), os.getppid()
    conn = stage.stage_open(out)
    ranges = config["ranges"]
    try:
        for piece in range(len(ranges) - 1, 0, -1):
            if not _claim(claims, piece):
                break
            start, stop = ranges[piece]
            rows = csv_piece(config["path"], config["encoding"], start, stop, config["width"])
            count = 0
            for staged in stage.stage_stream(conn, checks, rows, (piece << _SHIFT) + 1, config["batch"]):
                count += staged
                if os.getppid() != parent:  # the import was killed: stop, leave nothing behind
                    conn.close()
                    shutil.rmtree(claims.parent, ignore_errors=True)
                    sys.exit(1)
                _report(f"progress {staged}")
            conn.commit()
            _report(f"piece {piece} {count}")
    except TabularError:
        sys.exit(_FILE_ERROR)
    finally:
        conn.close()


def _report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
