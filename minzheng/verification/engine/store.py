"""The feed store: one Parquet snapshot per feed and as-of date (docs/notes/verification-contract.md).

Layout under the store root (`settings.FEEDS_DIR / "store"`):

    <feed_id>/<as_of YYYY-MM-DD>/data.parquet    accepted rows, sorted by id_number (nulls last)
                                 manifest.json   feed, as_of, source_sha256, rows, accepted, rejected, ...
                                 rejects.csv     rejected rows, original cells + 错误原因 (UTF-8 BOM), or absent
                                 replaced-<UTC>/ earlier snapshots moved aside by a replace

A snapshot is written into a temporary directory next to its final place and renamed into it,
so a reader sees either the old snapshot or the new one, never half a file. Django-free.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

DATA = "data.parquet"
MANIFEST = "manifest.json"
REJECTS = "rejects.csv"
REPLACED_PREFIX = "replaced-"
ROW_GROUP = 100_000  # a point lookup reads one or two groups (contract: one household p99 ≤ 500 ms)
PAGE_BYTES = 16 * 1024  # data pages of ~16 KiB, found through the page index (see write_parquet)


@dataclass(frozen=True)
class Snapshot:
    feed_id: str
    as_of: dt.date
    path: Path
    manifest: dict[str, Any]

    @property
    def data_path(self) -> Path:
        return self.path / DATA

    @property
    def rejects_path(self) -> Path | None:
        p = self.path / REJECTS
        return p if p.exists() else None

    @property
    def sha256(self) -> str:
        return str(self.manifest.get("source_sha256", ""))

    def scan(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.data_path)

    def read(self, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.data_path, columns=columns)

    def lookup(self, id_numbers: Iterable[str], column: str = "id_number") -> pa.Table:
        """Rows whose `column` is one of `id_numbers`; the sort order lets Parquet skip most row groups."""
        wanted = sorted(set(id_numbers))
        if not wanted:
            return pq.read_schema(self.data_path).empty_table()
        return pq.read_table(self.data_path, filters=[(column, "in", wanted)])

    def replaced(self) -> list[Path]:
        """Earlier snapshots of this feed and date kept by replaces, oldest first."""
        return sorted(p for p in self.path.iterdir() if p.is_dir() and p.name.startswith(REPLACED_PREFIX))


class FeedStore:
    """Read and write snapshots. `root` is the store directory (FEEDS_DIR/"store"); FEEDS_DIR works too."""

    def __init__(self, root: Path | str) -> None:
        root = Path(root)
        self.root = root if root.name == "store" else root / "store"

    # --- reading --------------------------------------------------------------------------------
    def feed_ids(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def dates(self, feed_id: str) -> list[dt.date]:
        folder = self.root / feed_id
        if not folder.exists():
            return []
        out = []
        for p in folder.iterdir():
            try:
                day = dt.date.fromisoformat(p.name)
            except ValueError:
                continue  # temporary and lock files
            if (p / MANIFEST).exists():
                out.append(day)
        return sorted(out)

    def snapshot(self, feed_id: str, as_of: dt.date) -> Snapshot | None:
        path = self.root / feed_id / as_of.isoformat()
        manifest = path / MANIFEST
        if not manifest.exists():
            return None
        return Snapshot(feed_id, as_of, path, json.loads(manifest.read_text(encoding="utf-8")))

    def snapshots(self, feed_id: str) -> list[Snapshot]:
        return [s for d in self.dates(feed_id) if (s := self.snapshot(feed_id, d))]

    def latest(self, feed_id: str, as_of: dt.date) -> Snapshot | None:
        """The newest snapshot with as_of ≤ the given date."""
        days = [d for d in self.dates(feed_id) if d <= as_of]
        return self.snapshot(feed_id, days[-1]) if days else None

    def previous(self, feed_id: str, as_of: dt.date) -> Snapshot | None:
        """The snapshot before `latest(feed_id, as_of)` (monthly feeds delivered as several files)."""
        days = [d for d in self.dates(feed_id) if d <= as_of]
        return self.snapshot(feed_id, days[-2]) if len(days) >= 2 else None

    def all_latest(self, as_of: dt.date) -> dict[str, Snapshot]:
        return {f: s for f in self.feed_ids() if (s := self.latest(f, as_of))}

    # --- writing --------------------------------------------------------------------------------
    @contextmanager
    def locked(self, feed_id: str) -> Iterator[None]:
        """One writer per feed at a time (a web upload and a CLI ingest may race)."""
        folder = self.root / feed_id
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def staging(self, feed_id: str) -> Path:
        """A fresh temporary directory beside the snapshots (same file system, so rename is atomic)."""
        path = self.root / feed_id / f".tmp-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        return path

    def commit(self, feed_id: str, as_of: dt.date, staged: Path, *, replace: bool) -> Snapshot:
        """Move a staged snapshot (data, manifest, rejects) into place; with `replace` keep the old one.

        Call inside `locked(feed_id)`. The old snapshot and its own earlier replacements move into
        the new one's `replaced-<UTC timestamp>/` folders, so every delivery stays recoverable.
        """
        final = self.root / feed_id / as_of.isoformat()
        if final.exists():
            if not replace:
                shutil.rmtree(staged, ignore_errors=True)
                raise FileExistsError(final)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            aside = staged / f"{REPLACED_PREFIX}{stamp}"
            aside.mkdir()
            for item in final.iterdir():
                target = staged / item.name if item.name.startswith(REPLACED_PREFIX) else aside / item.name
                item.rename(target)
            final.rmdir()
        staged.rename(final)
        return self.snapshot(feed_id, as_of)  # type: ignore[return-value]

    def restore(self, feed_id: str, as_of: dt.date, replaced_name: str) -> Snapshot:
        """Bring a replaced snapshot back as the current one (the current one is kept aside in turn)."""
        with self.locked(feed_id):
            current = self.root / feed_id / as_of.isoformat()
            source = current / replaced_name
            if not replaced_name.startswith(REPLACED_PREFIX) or not (source / MANIFEST).exists():
                raise FileNotFoundError(source)
            staged = self.staging(feed_id)
            for item in source.iterdir():
                item.rename(staged / item.name)
            source.rmdir()
            return self.commit(feed_id, as_of, staged, replace=True)

    def cleanup(self, feed_id: str) -> None:
        """Remove temporary directories left by an interrupted write (nothing readers rely on)."""
        folder = self.root / feed_id
        if folder.exists():
            for p in folder.glob(".tmp-*"):
                shutil.rmtree(p, ignore_errors=True)


def write_parquet(table: pa.Table, path: Path) -> None:
    # The page index with small pages lets DuckDB read only the pages holding the wanted numbers,
    # not the whole 100k-row group: a 3-member lookup in a 330k-row feed went from 74 ms to 10 ms
    # (p50; v2_household, docs/notes/v2_household.md). Same file size, no slower to write.
    # Identity columns and row numbers are (nearly) unique: a dictionary for them is built only to be
    # abandoned, so they are plain-encoded (a third cheaper to write; sorted, they compress as well).
    unique = ("_row", "id_number", "id_raw", "id_digest")
    pq.write_table(
        table,
        path,
        row_group_size=ROW_GROUP,
        compression="zstd",
        write_statistics=True,
        write_page_index=True,
        data_page_size=PAGE_BYTES,
        use_dictionary=[n for n in table.schema.names if not n.endswith(unique)],
    )


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
