"""Lossless resident import (居民信息导入, DATA_CONTRACTS §1).

Two passes over the file:
1. read and validate every row into a scratch SQLite staging file, then apply
   the file-wide rules there in SQL (stage.py), with what they need to know
   about the registry copied in a batch at a time (lookups.py);
2. apply accepted rows to the registry in chunks of CHUNK rows, one
   transaction each (apply.py; initial_load.py for a first load on SQLite).

File-wide rules, each rejecting a row with a reason that names the column:
- 公民身份号码 repeated in the file: the first valid row stands; a later row is
  rejected naming it, "与第 3 行重复但姓名不同（第 3 行为 张三）" when the names
  differ and "与第 3 行重复" when they agree (a repeat is a mistake in the file
  either way, and rejecting it keeps "rows = accepted + rejected" plain).
- one address per 户: rows of a 户 whose address differs from its first row.
- exactly one 户主 per 户 after the file is applied to what is stored:
  a second 户主 row in the file is rejected naming the first; a 户主 row beside
  a stored 户主 who stays (the file does not list them) is rejected naming them;
  a stored 户主 whom the file moves to another 户 is rejected when the 户 they
  leave would keep members but get no new 户主 (a whole family moving out is
  fine); a 户 left with no 户主 at all has all its rows rejected ("户编号 H001
  没有户主"). Rows of one 户 need not be next to each other in the file.
- an importer with a jurisdiction (the web page) may not touch persons or 户
  registered outside it; the console CLI runs as the system, unrestricted.

Rows in = accepted + rejected. Rejected rows keep their original cells (all
columns, with the row number first) plus a Chinese 错误原因; the rejects file is
CSV in UTF-8 with BOM under settings.REJECTS_DIR. A file without the required
headers is refused whole and nothing is written. Re-importing the same file
changes nothing; a corrected file updates the persons it names, with a
ChangeRecord per changed field.

Memory is flat in file size: rows stream from the file into staging and back
out CHUNK at a time; the rules are SQL inside staging; registry lookups hold
one batch (at most 50,000 values); RowParser's caches are bounded; statements
come in a bounded set of lengths (lookups.pieces). What grows with the file is
the staging file on disk (about 2.5 times the CSV). The SQLite page caches
fill up to fixed bounds (64 MB staging, 128 MB registry, index builds within
them), so resident memory rises over the first few hundred thousand rows and
then stays level: bench/import_bench.py measured about 300 MB during the
writes at both one and two million rows.

Chunks commit together with the job's checkpoint (staging file, last row
committed, running counts), so a killed import resumes after the last
committed chunk with exact counts; re-applying a row is idempotent anyway.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.sheets import write_csv
from minzheng.core.tabular import TabularError, missing_headers, open_table
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.registry.importing import initial_load, lookups, pg_copy, pg_update, split, sqlite_update, stage
from minzheng.registry.importing.apply import ChunkResult, apply_chunk
from minzheng.registry.importing.columns import BatchParser
from minzheng.registry.importing.rows import REQUIRED, RowParser, canonical_headers
from minzheng.registry.models import Household, Person

CHUNK = 50_000  # per transaction: fewer, larger commits write each index page once
_BATCH = 10_000  # rows checked together (columns.py) and staged in one statement: a bounded buffer
Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects_file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _villages() -> set[str]:
    return set(Division.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))


def registry_is_empty() -> bool:
    return not Person.objects.exists() and not Household.objects.exists()


def _stage_file(conn: Any, path: Path, progress: Progress | None, jurisdiction: str, empty: bool) -> None:
    """Pass 1: every row into staging, with its reason if it is invalid on its own; then the file-wide rules."""
    ranges = split.pieces(path)  # a large CSV: read on two cores (split.py)
    try:
        headers = _stage_rows(conn, path, progress, jurisdiction, ranges)
    except split.Redo:  # a file error or a cut inside quotes: read the file whole, as one process
        stage.stage_reset(conn)
        headers = _stage_rows(conn, path, progress, jurisdiction, None)
    except split.WorkerFailed:
        stage.stage_reset(conn)  # nothing half-staged; not complete, so a re-run reads the file again
        conn.commit()
        raise
    stage.stage_index(conn)
    _apply_file_rules(conn, jurisdiction, empty)
    stage.stage_mark_complete(conn, headers)


def _stage_rows(
    conn: Any, path: Path, progress: Progress | None, jurisdiction: str, ranges: list[tuple[int, int]] | None
) -> list[str]:
    """Every row into staging in file order; returns the file's headers as written."""
    with open_table(path, stop=ranges[0][1] if ranges else None) as table:
        headers = canonical_headers(table.headers)
        missing = missing_headers(headers, REQUIRED)
        if missing:
            raise TabularError(f"缺少必填列：{'、'.join(missing)}")
        villages = _villages()
        parser = RowParser(headers, villages, jurisdiction)
        if ranges:
            split.stage_rows(conn, path, ranges, table, parser, _BATCH, progress, villages, jurisdiction)
            return table.headers
        done = 0
        for staged in stage.stage_stream(conn, BatchParser(parser), table.rows, 2, _BATCH):  # row 1: the header
            done += staged
            if progress:
                progress(done, 0)  # total 0: still reading (the job page says so)
    return table.headers


def _apply_file_rules(conn: Any, jurisdiction: str, empty: bool) -> None:
    """Rules over the whole file and what the registry holds (skipped lookups: an empty registry)."""
    if jurisdiction and not empty:
        lookups.reject_registered_elsewhere(conn, jurisdiction)
    stage.rule_duplicate_ids(conn)
    stage.rule_same_address(conn)
    stage.rule_extra_heads(conn)
    if not empty:
        lookups.copy_stored_households(conn)
        lookups.copy_movers(conn)
    stage.rule_one_head(conn)
    stage.households_moved_in(conn)
    conn.commit()


def _write_rejects(conn: Any, path: Path, sha: str) -> str | None:
    """The rejected rows in row order, streamed from staging; None when there are none."""
    rejected = stage.rejected_rows(conn)
    first = next(rejected, None)
    if first is None:
        return None
    settings.REJECTS_DIR.mkdir(parents=True, exist_ok=True)
    # Unique per run: the same file imported by two users (two jurisdictions) has different rejects.
    target = settings.REJECTS_DIR / f"{path.stem}-{sha[:8]}-{uuid.uuid4().hex[:6]}-错误行.csv"
    rows = ([row_no, *cells, reason] for row_no, cells, reason in itertools.chain([first], rejected))
    write_csv(target, ["行号", *stage.stage_headers(conn), "错误原因"], rows)  # BOM: Excel opens it as UTF-8
    return str(target)


def residents_import(
    *,
    path: Path,
    actor: Any,
    original_name: str | None = None,
    progress: Progress | None = None,
    checkpoint: dict[str, Any] | None = None,
    on_chunk: Callable[[dict[str, Any]], None] | None = None,
    client_ip: str = "",
) -> ImportResult:
    """Import a resident file. `checkpoint`/`on_chunk` let a job resume (see tasks.py)."""
    path = Path(path)
    name = original_name or path.name
    sha = file_sha256(path)
    checkpoint = dict(checkpoint or {})
    # A resumed job reuses its staging file; a new run gets its own.
    default = settings.DATA_DIR / "imports" / f"{sha[:16]}-{uuid.uuid4().hex[:8]}.sqlite"
    stage_path = Path(checkpoint.get("stage") or default)
    # Decided once, before anything is written, so a resumed run still knows the registry was empty.
    checkpoint.setdefault("all_new", registry_is_empty())
    checkpoint.update(stage=str(stage_path))
    if on_chunk:
        on_chunk(dict(checkpoint))  # a job killed while reading then resumes with (and removes) this file
    conn = stage.stage_open(stage_path)
    try:
        with _cyclic_gc_paused():
            result = _stage_and_apply(conn, stage_path, path, actor, f"导入 {name}", checkpoint, progress, on_chunk)
        result.rejects_file = _write_rejects(conn, Path(name), sha)
    finally:
        conn.close()
    stage_path.unlink(missing_ok=True)
    if result.created or result.updated:
        _analyze()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="import",
        object_id=sha[:16],
        summary=f"导入居民 {name}：{result.rows} 行，接收 {result.accepted}，拒收 {result.rejected}，"
        f"新增 {result.created}，更新 {result.updated}",
        client_ip=client_ip,
        data={**result.as_dict(), "sha256": sha, "file": name},
    )
    return result


class ImportConflict(RuntimeError):
    """Another import wrote the same persons or 户 at the same time; re-running finishes the work."""


CONFLICT = "导入时另一次导入同时写入了相同的居民或户，本次已写入的部分保留；请重新运行本次导入，重复的行不会重复写入"


def _stage_and_apply(
    conn: Any,
    stage_path: Path,
    path: Path,
    actor: Any,
    source: str,
    checkpoint: dict[str, Any],
    progress: Progress | None,
    on_chunk: Callable[[dict[str, Any]], None] | None,
) -> ImportResult:
    """Pass 1 (unless staged already), then pass 2; a registry that stopped being empty is re-read once.

    An import that began on an empty registry skips looking rows up (`all_new`). If another import
    (the same content from another path, say) filled the registry meanwhile, a write collides with a
    stored person: then the file is staged again against what is stored now and applied from its
    first row; rows written already are unchanged the second time. The checkpoint forgets `all_new`
    first, so a re-run never repeats the collision.
    """
    for attempt in (1, 2):
        if not stage.stage_is_complete(conn):
            _restage(conn, stage_path, path, progress, actor, checkpoint["all_new"])
        try:
            return _apply_all(conn, actor, source, checkpoint, progress, on_chunk)
        except IntegrityError as exc:
            _forget_empty(conn, checkpoint, on_chunk)
            if attempt == 2:
                raise ImportConflict(CONFLICT) from exc
    raise AssertionError("unreachable")


def _forget_empty(conn: Any, checkpoint: dict[str, Any], on_chunk: Callable[[dict[str, Any]], None] | None) -> None:
    """Restart pass 2 from the first row against the registry as it is; rows created so far stay counted."""
    stage.stage_reset(conn)
    checkpoint.update(all_new=False, rows_done=0, applied=0, updated=0)
    checkpoint.pop("deferred_indexes", None)  # first_load put them back when it failed
    checkpoint.pop("deferred_fks", None)
    if on_chunk:
        on_chunk(dict(checkpoint))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing: the row loops create no reference cycles
    (reference counting frees everything), yet collections triggered by their allocations took
    about 10% of the import's CPU time at a million rows. Process-wide, for the import's duration.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_ANALYZED = ("registry_person", "registry_household", "registry_persontag")


def _analyze() -> None:
    """Fresh planner statistics once an import has changed rows, so search is fast right after it.

    Autovacuum's analyze comes late (or, inside a long first load, mid-way with the table half
    full): the issue measured search p95 27 ms on PostgreSQL before ANALYZE, 6.5 ms after. SQLite
    has no statistics at all until ANALYZE; a bounded sample (analysis_limit) keeps it quick.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(_ANALYZED)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            for table in _ANALYZED:
                cursor.execute(f"ANALYZE {table}")  # our table names
            cursor.execute("PRAGMA analysis_limit=0")


def _large_cache() -> None:
    """128 MB SQLite page cache for this connection: a million-row import's index pages stay in memory.

    A fixed bound, not a function of the file; other databases manage their own buffers.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")


def _restage(conn: Any, stage_path: Path, path: Path, progress: Progress | None, actor: Any, empty: bool) -> None:
    stage.stage_reset(conn)  # whatever a killed pass 1 left
    try:
        _stage_file(conn, path, progress, getattr(actor, "jurisdiction", "") or "", empty)
    except TabularError:
        conn.close()
        stage_path.unlink(missing_ok=True)  # the whole file was refused: nothing to resume
        raise


@dataclass
class _Pass2:
    """Pass 2: accepted rows in chunks; the checkpoint commits with each chunk."""

    conn: Any
    actor: Any
    source: str
    checkpoint: dict[str, Any]
    progress: Progress | None
    on_chunk: Callable[[dict[str, Any]], None] | None
    fast: bool = False  # a first load, by SQL (initial_load.py on SQLite, pg_copy.py on PostgreSQL)
    attached: bool = False  # SQLite: staging attached to the registry's connection for the run
    # Otherwise set-based: pg_update.py on PostgreSQL, sqlite_update.py on SQLite (apply.py: the reference).

    def commit(self) -> None:
        if self.on_chunk:
            self.on_chunk(dict(self.checkpoint))

    def chunk(self, low: int, high: int) -> ChunkResult:
        """One chunk of accepted rows (low < row_no ≤ high), by SQL when it can, else row by row."""
        if self.fast:
            if pg_copy.usable():
                created = pg_copy.load_chunk(self.conn, low, high)
            else:
                created = initial_load.load_chunk(low, high)
            return ChunkResult(created=created, applied=created)
        if pg_update.usable():  # into a populated registry: COPY and set-based statements
            return pg_update.apply_chunk(self.conn, low, high, actor=self.actor, source=self.source)
        # The same on SQLite: the comparison in SQL, Python sees changed rows only. Not for an import
        # begun on an empty registry (a first load inside a caller's transaction): apply.py's inserts
        # collide with rows another import stored meanwhile, which re-stages against them (_stage_and_apply).
        if sqlite_update.usable() and not self.checkpoint["all_new"]:
            return sqlite_update.apply_chunk(
                self.conn, low, high, actor=self.actor, source=self.source, attached=self.attached
            )
        rows = stage.accepted_after(self.conn, low, high)
        return apply_chunk(rows, actor=self.actor, source=self.source, all_new=self.checkpoint["all_new"])

    def run(self, accepted: int) -> dict[str, int]:
        done_row = self.checkpoint.get("rows_done", 0)
        counts = {k: self.checkpoint.get(k, 0) for k in ("created", "updated", "applied")}
        while (end := stage.chunk_end(self.conn, done_row, CHUNK)) is not None:
            with transaction.atomic():
                part = self.chunk(done_row, end)
                for key in counts:
                    counts[key] += getattr(part, key)
                done_row = end
                self.checkpoint.update(rows_done=done_row, **counts)
                self.commit()
            if self.progress:
                self.progress(counts["applied"], accepted)
        return counts


def _apply_all(
    conn: Any,
    actor: Any,
    source: str,
    checkpoint: dict[str, Any],
    progress: Progress | None,
    on_chunk: Callable[[dict[str, Any]], None] | None,
) -> ImportResult:
    total, rejected = stage.counts(conn)
    accepted = total - rejected
    _large_cache()
    run = _Pass2(conn, actor, source, checkpoint, progress, on_chunk)
    run.fast = checkpoint["all_new"] and (initial_load.usable() or pg_copy.usable()) and accepted > 0
    if run.fast:
        with initial_load.first_load(Path(checkpoint["stage"]), checkpoint, run.commit):
            counts = run.run(accepted)
    elif sqlite_update.usable() and initial_load.usable() and not checkpoint["all_new"] and accepted > 0:
        run.attached = True  # sqlite_update copies each chunk from staging by SQL
        initial_load.attach(Path(checkpoint["stage"]))
        try:
            counts = run.run(accepted)
        finally:
            initial_load.detach()
    else:
        counts = run.run(accepted)
    created, updated = counts["created"], counts["updated"]
    return ImportResult(
        rows=total,
        accepted=accepted,
        rejected=rejected,
        created=created,
        updated=updated,
        unchanged=accepted - created - updated,
    )
