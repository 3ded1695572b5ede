"""Lossless resident import (居民信息导入, DATA_CONTRACTS §1).

Two passes over the file:
1. read and validate every row into a scratch SQLite staging file (memory flat
   in file size), then apply the file-wide rules there (repeated identity
   numbers, one address per 户, exactly one 户主 per 户 after the import);
2. apply accepted rows to the registry in chunks, one transaction each.

The 户主 rule, after the file is applied to what is stored: a 户 keeps the stored
户主 unless the file lists that person in the 户 with another relation; a second
户主 row for the same 户 is rejected naming the first; a 户 left with no 户主 has
all its rows rejected. (A stored 户主 moved by the file to another 户 is not
checked against the 户 they leave; the household page shows such a 户 without a
户主.)

Rows in = accepted + rejected. Rejected rows keep their original cells plus a
Chinese 错误原因 naming the column. A file without the required headers is
refused whole and nothing is written. Re-importing the same file changes
nothing. Chunks commit together with the job's checkpoint, so a killed import
resumes after the last committed chunk with exact counts.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.tabular import TabularError, missing_headers, open_table
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.registry.importing import initial_load, stage
from minzheng.registry.importing.apply import ChunkResult, apply_chunk, stored_heads
from minzheng.registry.importing.rows import REQUIRED, RowError, canonical_headers, parse_row
from minzheng.registry.models import Household, Person

CHUNK = 50_000  # per transaction: fewer, larger commits write each index page once
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


def _stage_file(conn: Any, path: Path, progress: Progress | None, jurisdiction: str) -> None:
    """Pass 1: every row into staging, with its reason if it is invalid on its own."""
    villages = _villages()
    with open_table(path) as table:
        headers = canonical_headers(table.headers)
        missing = missing_headers(headers, REQUIRED)
        if missing:
            raise TabularError(f"缺少必填列：{'、'.join(missing)}")
        batch: list[Any] = []
        for row_no, cells in enumerate(table.rows, start=2):  # row 1 is the header
            batch.append(_staged(row_no, cells, headers, villages, jurisdiction))
            if len(batch) == 10_000:
                stage.stage_insert(conn, batch)
                batch.clear()
                if progress:
                    progress(row_no - 1, 0)
        stage.stage_insert(conn, batch)
    conn.executescript(
        "CREATE INDEX IF NOT EXISTS rows_hh ON rows(household_no);"
        "CREATE INDEX IF NOT EXISTS rows_id ON rows(id_number);"
    )
    _apply_file_rules(conn, jurisdiction)
    stage.stage_mark_complete(conn, table.headers)


def _staged(row_no: int, cells: list[str], headers: list[str], villages: set[str], jurisdiction: str) -> tuple:
    named = dict(zip(headers, cells, strict=True))
    try:
        return row_no, cells, None, parse_row(named, villages, jurisdiction)
    except RowError as exc:
        return row_no, cells, str(exc), None


def _apply_file_rules(conn: Any, jurisdiction: str) -> None:
    if jurisdiction:
        _reject_registered_elsewhere(conn, jurisdiction)
    stage.rule_duplicate_ids(conn)
    stage.rule_same_address(conn)
    stage.rule_extra_heads(conn)
    _load_stored_heads(conn)
    stage.rule_heads_against_registry(conn)
    conn.commit()


def _reject_registered_elsewhere(conn: Any, jurisdiction: str) -> None:
    """An importer may not overwrite or move in persons or 户 registered outside their jurisdiction."""
    last = 0
    # Batches by row number, not an open cursor: the loop updates the table it reads.
    while batch := conn.execute(
        "SELECT row_no, id_number, household_no FROM rows WHERE reason IS NULL AND row_no > ? "
        "ORDER BY row_no LIMIT 900",
        (last,),
    ).fetchall():  # SQLite's parameter limit
        last = batch[-1][0]
        people = set(
            Person.objects.filter(
                ~prefix_q("division_code", jurisdiction), id_number__in=[r[1] for r in batch]
            ).values_list("id_number", flat=True)
        )
        homes = set(
            Household.objects.filter(
                ~prefix_q("division_id", jurisdiction), household_no__in=[r[2] for r in batch]
            ).values_list("household_no", flat=True)
        )
        stage.reject_rows(
            conn,
            [
                (
                    "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理"
                    if number in people
                    else f"户编号：户 {household_no} 已在您的管辖范围以外登记",
                    row_no,
                )
                for row_no, number, household_no in batch
                if number in people or household_no in homes
            ],
        )


def _load_stored_heads(conn: Any) -> None:
    """Copy the registry's 户主 of the file's households into staging, a batch at a time (memory flat)."""
    households = conn.cursor()
    households.execute("SELECT DISTINCT household_no FROM rows WHERE reason IS NULL")
    while batch := [hh for (hh,) in households.fetchmany(900)]:  # SQLite's bound-parameter limit
        heads = stored_heads(batch)
        conn.executemany("INSERT INTO stored_heads VALUES (?, ?, ?)", [(hh, n, nm) for hh, (n, nm) in heads.items()])


def _write_rejects(conn: Any, path: Path, sha: str) -> str | None:
    headers = stage.stage_headers(conn)
    rejected = stage.rejected_rows(conn)
    first = next(rejected, None)
    if first is None:
        return None
    settings.REJECTS_DIR.mkdir(parents=True, exist_ok=True)
    target = settings.REJECTS_DIR / f"{path.stem}-{sha[:8]}-错误行.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens it as UTF-8
        writer = csv.writer(fh)
        writer.writerow(["行号", *headers, "错误原因"])
        for row_no, cells, reason in [first, *rejected]:
            writer.writerow([row_no, *cells, reason])
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
    checkpoint["stage"] = str(stage_path)
    conn = stage.stage_open(stage_path)
    try:
        if not stage.stage_is_complete(conn):
            try:
                _stage_file(conn, path, progress, getattr(actor, "jurisdiction", "") or "")
            except TabularError:
                stage_path.unlink(missing_ok=True)  # the whole file was refused: nothing to resume
                raise
        result = _apply_all(conn, actor, f"导入 {name}", checkpoint, progress, on_chunk)
        result.rejects_file = _write_rejects(conn, Path(name), sha)
    finally:
        conn.close()
    stage_path.unlink(missing_ok=True)
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


def _large_cache() -> None:
    """128 MB SQLite page cache for this connection: a million-row import's index pages stay in memory.

    A fixed bound, not a function of the file; other databases manage their own buffers.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")


def _chunk(conn: Any, low: int, high: int, actor: Any, source: str, all_new: bool, fast: bool) -> ChunkResult:
    """One chunk of accepted rows (low < row_no ≤ high), by SQL when it can, else row by row."""
    if fast:
        created = initial_load.load_chunk(low, high)
        return ChunkResult(created=created, applied=created)
    rows = [row for row_no, row in stage.accepted_after(conn, low, CHUNK) if row_no <= high]
    part = apply_chunk(rows, actor=actor, source=source, all_new=all_new)
    part.applied = len(rows)
    return part


def _apply_all(
    conn: Any,
    actor: Any,
    source: str,
    checkpoint: dict[str, Any],
    progress: Progress | None,
    on_chunk: Callable[[dict[str, Any]], None] | None,
) -> ImportResult:
    """Pass 2: accepted rows in chunks; the checkpoint commits with each chunk."""
    total, rejected = stage.counts(conn)
    accepted = total - rejected
    _large_cache()
    # Recorded once, so a resumed run still knows the registry was empty when this import began.
    checkpoint.setdefault("all_new", not Person.objects.exists())
    done_row = checkpoint.get("rows_done", 0)
    counts = {k: checkpoint.get(k, 0) for k in ("created", "updated", "applied")}
    fast = checkpoint["all_new"] and initial_load.usable()
    if fast:
        initial_load.attach(Path(checkpoint["stage"]))
    try:
        while (end := stage.chunk_end(conn, done_row, CHUNK)) is not None:
            with transaction.atomic():
                part = _chunk(conn, done_row, end, actor, source, checkpoint["all_new"], fast)
                counts["created"] += part.created
                counts["updated"] += part.updated
                counts["applied"] += part.applied
                done_row = end
                checkpoint.update(rows_done=done_row, **counts)
                if on_chunk:
                    on_chunk(dict(checkpoint))
            if progress:
                progress(counts["applied"], accepted)
    finally:
        if fast:
            initial_load.detach()
    created, updated = counts["created"], counts["updated"]
    return ImportResult(
        rows=total,
        accepted=accepted,
        rejected=rejected,
        created=created,
        updated=updated,
        unchanged=accepted - created - updated,
    )
