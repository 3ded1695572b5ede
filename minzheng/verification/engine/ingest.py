"""Ingest one department feed file into the feed store (Django-free; the benchmark calls it directly).

    result = ingest_file("vehicle", Path("vehicle_2026-12-01.csv"), date(2026, 12, 1), FeedStore(root))

One pass of Polars over the file: every column read as text, every cell normalised and checked by
expressions (`normalise`), accepted rows sorted by id_number and written as one Parquet file,
rejected rows written with their original cells and a Chinese 错误原因. Rows in = accepted +
rejected, always. A file without the feed's required headers is refused whole, nothing written.
The same file again (same SHA-256) changes nothing; a different file for a feed and date already
in the store is refused unless `replace=True`, which keeps the old snapshot under `replaced-<UTC>/`.
CSV may be UTF-8 (with or without BOM), GBK or GB18030 — Polars reads UTF-8 only, so the GB
encodings are transcoded to a temporary UTF-8 file first; XLSX is read with python-calamine.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa

from minzheng.core import fileguard
from minzheng.core.sheets import write_frame_csv
from minzheng.verification.engine import normalise
from minzheng.verification.engine.catalogue import SCHEMA_VERSION, Feed, Kind, feed_get
from minzheng.verification.engine.store import (
    DATA,
    MANIFEST,
    REJECTS,
    FeedStore,
    Snapshot,
    write_manifest,
    write_parquet,
)

Progress = Callable[[str, int, int], None]  # (step label, step done, steps)
STEPS = ("校验文件", "读取并规范化", "写入快照", "完成")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
REASON = "错误原因"
ROW_HEADER = "行号"
_AS_OF_IN_NAME = re.compile(r"(20[0-9]{2})-?([01][0-9])-?([0-3][0-9])")
# Polars engine for the one big collect; "streaming" runs the expressions on row morsels in parallel.
COLLECT_ENGINE: Final = "in-memory"
_ARROW = {"string": pa.string(), "int64": pa.int64(), "date32": pa.date32(), "float64": pa.float64()}


class FeedError(ValueError):
    """The file is refused as a whole; the message is Chinese and says what to do."""


@dataclass
class IngestResult:
    feed: str
    as_of: str
    rows: int
    accepted: int
    rejected: int
    snapshot: str  # the snapshot's data.parquet
    rejects_file: str | None
    source_sha256: str
    encoding: str
    source_name: str = ""
    unchanged: bool = False  # the same file was already the snapshot: nothing written
    replaced: str | None = None  # where the previous snapshot was kept
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The CLI's --json answer, in the issue's key order."""
        keys = ("feed", "as_of", "rows", "accepted", "rejected", "snapshot", "rejects_file")
        return {k: getattr(self, k) for k in keys}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_of_from_name(name: str) -> dt.date | None:
    """`vehicle_2026-12-01.csv` or `社保20261201.xlsx` → that date; None when the name has none."""
    m = _AS_OF_IN_NAME.search(name)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def ingest_file(
    feed_id: str | Feed,
    path: Path,
    as_of: dt.date,
    store: FeedStore,
    replace: bool = False,
    *,
    source_name: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> IngestResult:
    """Normalise, check and store one delivery. Raises FeedError when the file is refused."""
    started = time.perf_counter()
    feed = _feed(feed_id)
    path = Path(path)
    if not path.is_file():
        raise FeedError(f"文件不存在：{path}")
    tick = progress or (lambda label, done, total: None)
    tick(STEPS[0], 0, len(STEPS))
    sha = file_sha256(path)
    with store.locked(feed.id):
        store.cleanup(feed.id)
        existing = store.snapshot(feed.id, as_of)
        if existing is not None and existing.sha256 == sha:
            return _unchanged(existing, started)
        if existing is not None and not replace:
            raise FeedError(
                f"{feed.department}{feed.title}（{feed.id}）数据时点 {as_of.isoformat()} 已有另一份文件"
                f"“{existing.manifest.get('source_name', '')}”；如确需替换，请勾选“替换”或加 --replace"
                "（原数据会保留，可恢复）"
            )
        staged = store.staging(feed.id)
        try:
            result = _ingest_into(feed, path, as_of, staged, sha, source_name or path.name, tick, today)
            snapshot = store.commit(feed.id, as_of, staged, replace=replace)
        finally:
            if staged.exists():
                shutil.rmtree(staged, ignore_errors=True)
    replaced = snapshot.replaced()
    result.snapshot = str(snapshot.data_path)
    result.rejects_file = str(snapshot.rejects_path) if snapshot.rejects_path else None
    result.replaced = str(replaced[-1]) if existing is not None and replaced else None
    result.seconds = round(time.perf_counter() - started, 3)
    tick(STEPS[3], len(STEPS), len(STEPS))
    return result


def _feed(feed_id: str | Feed) -> Feed:
    if isinstance(feed_id, Feed):  # a definition not (yet) in the catalogue: same code path
        return feed_id
    try:
        return feed_get(feed_id)
    except KeyError as exc:
        raise FeedError(exc.args[0]) from None


def _unchanged(snapshot: Snapshot, started: float) -> IngestResult:
    m = snapshot.manifest
    return IngestResult(
        feed=snapshot.feed_id,
        as_of=snapshot.as_of.isoformat(),
        rows=m["rows"],
        accepted=m["accepted"],
        rejected=m["rejected"],
        snapshot=str(snapshot.data_path),
        rejects_file=str(snapshot.rejects_path) if snapshot.rejects_path else None,
        source_sha256=snapshot.sha256,
        encoding=m.get("encoding", ""),
        source_name=m.get("source_name", ""),
        unchanged=True,
        replaced=str(snapshot.replaced()[-1]) if snapshot.replaced() else None,
        seconds=round(time.perf_counter() - started, 3),
    )


def _ingest_into(
    feed: Feed,
    path: Path,
    as_of: dt.date,
    staged: Path,
    sha: str,
    source_name: str,
    tick: Progress,
    today: dt.date | None,
) -> IngestResult:
    today = today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    frame, headers, encoding = _read(path, staged)
    mapping = _map_headers(feed, headers)
    tick(STEPS[1], 1, len(STEPS))
    try:
        table = _fast(feed, frame, mapping, today).collect(engine=COLLECT_ENGINE)
    except pl.exceptions.ComputeError as exc:
        # The sample looked like UTF-8 but a later line is not: a GB file after an ASCII start.
        if encoding != "utf-8" or "utf-8" not in str(exc):
            raise
        frame, headers, encoding = _read(path, staged, encoding="gb18030")
        mapping = _map_headers(feed, headers)
        table = _fast(feed, frame, mapping, today).collect(engine=COLLECT_ENGINE)
    tick(STEPS[2], 2, len(STEPS))
    names = [name for name, _ in feed.output_columns()]
    # Canonical rows are done; the others (a few percent) go through the full normalisers.
    slow_mask = table["_slow"]
    clean = table.select(*names, "_sort").filter(~slow_mask)
    slow = table.filter(slow_mask).select("_row", *_raw_columns(frame))
    del table
    plan, messages = _normalised(feed, slow.lazy(), mapping, today)
    full = plan.collect()
    # Of those, rows without a bad cell skip the reasons (their id_error is null).
    errors = {f"{c.prefix}id_error" for c in feed.id_columns}
    dirty_mask = full["_dirty"]
    fixed = full.select(
        *[pl.lit(None, pl.String).alias(n) if n in errors else pl.col(n) for n in names], "_sort"
    ).filter(~dirty_mask)
    dirty = _explain(full.filter(dirty_mask), feed, messages)
    del full
    bad = dirty["_errors"].is_not_null()
    rejected = dirty.filter(bad)
    accepted = pl.concat([clean, fixed, dirty.filter(~bad).select(*names, "_sort")], how="vertical")
    schema = pa.schema([(name, _ARROW[kind]) for name, kind in feed.output_columns()])
    # Stable: rows of one person keep the file's order (a two-key sort on _row costs three times more).
    ordered = accepted.sort("_sort", nulls_last=True, maintain_order=True).select(names)
    # Oldest compat level: large_string, which casts to string without copying the text (string_view would).
    write_parquet(ordered.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(schema), staged / DATA)
    if rejected.height:
        _write_rejects(rejected, headers, staged / REJECTS)
    result = IngestResult(
        feed=feed.id,
        as_of=as_of.isoformat(),
        rows=accepted.height + rejected.height,
        accepted=accepted.height,
        rejected=rejected.height,
        snapshot=str(staged / DATA),
        rejects_file=None,
        source_sha256=sha,
        encoding=encoding,
        source_name=source_name,
    )
    write_manifest(staged / MANIFEST, _manifest(result, source_name, names))
    return result


def _manifest(result: IngestResult, source_name: str, columns: list[str]) -> dict[str, Any]:
    return {
        "feed": result.feed,
        "as_of": result.as_of,
        "source_name": source_name,
        "source_sha256": result.source_sha256,
        "rows": result.rows,
        "accepted": result.accepted,
        "rejected": result.rejected,
        "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
        "columns": columns,
        "encoding": result.encoding,
    }


# --- reading -----------------------------------------------------------------------------------
def _read(path: Path, staged: Path, encoding: str | None = None) -> tuple[pl.LazyFrame, list[str], str]:
    """(every cell as text in columns c0..cN with `_row`, the headers as written, the encoding).

    Hostile or broken files are refused first (core.fileguard): an XLSX's extent and zip bombs before
    calamine allocates, and a CSV's oversized fields and unclosed quotes, which Polars would read
    as one swallowed cell or an English error.
    """
    _guard(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    encoding = encoding or _sniff(path)
    source = path
    if encoding != "utf-8":
        source = staged / "source-utf8.csv"
        _transcode(path, source, encoding)
    headers = _csv_headers(source)
    if not headers:
        raise FeedError("文件为空")
    frame = pl.scan_csv(
        source,
        infer_schema=False,
        truncate_ragged_lines=True,
        with_column_names=lambda cols: [f"c{i}" for i in range(len(cols))],
        row_index_name="_row",
        row_index_offset=2,  # the header is row 1, as a spreadsheet shows it
    )
    return frame, headers, encoding


def _guard(path: Path) -> None:
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            fileguard.check_file(path)
        else:
            fileguard.check_csv_lines(path)
    except fileguard.FileRefused as exc:
        raise FeedError(str(exc)) from exc


def _sniff(path: Path, sample: int = 1 << 22) -> str:
    """utf-8 when the file's first 4 MB decode as UTF-8 (a BOM is fine), else gb18030 (a superset of GBK).

    A sample, not the whole file: Polars itself refuses invalid UTF-8 later, and `_ingest_into`
    then reads the file again as GB18030. The header line alone is Chinese, so it decides.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        chunk = fh.read(sample)
    try:
        decoder.decode(chunk, final=len(chunk) < sample)  # a sequence cut by the sample's end is fine
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _transcode(source: Path, target: Path, encoding: str) -> None:
    """GB18030 (a superset of GBK) → UTF-8: glibc's iconv when present (4× faster), else Python's codec."""
    refused = FeedError("无法识别文件编码（支持 UTF-8、GBK、GB18030 的 CSV 和 XLSX）")
    iconv = shutil.which("iconv")
    if iconv:
        with target.open("wb") as dst:
            # Fixed arguments and our own file names: no shell, nothing from the user is interpreted.
            command = [iconv, "-f", encoding.upper(), "-t", "UTF-8", str(source)]
            done = subprocess.run(command, stdout=dst, stderr=subprocess.PIPE, check=False)  # noqa: S603
        if done.returncode != 0:
            raise refused
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(1 << 24):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        raise refused from exc


def _csv_headers(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _read_excel(path: Path) -> tuple[pl.LazyFrame, list[str], str]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine's errors are English
        raise FeedError("无法读取 Excel 文件（文件已损坏或不是 Excel 格式）；请用 Excel 另存后重新上传") from exc
    if not rows:
        raise FeedError("文件为空")
    # A blank header cell is "" (not None), so the trailing blanks below are trimmed as meant.
    headers = [_excel_text(h) or "" for h in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    columns: dict[str, list[str | None]] = {f"c{i}": [] for i in range(width)}
    for raw in rows[1:]:
        for i in range(width):
            columns[f"c{i}"].append(_excel_text(raw[i]) if i < len(raw) else None)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)).with_row_index("_row", offset=2)
    return frame.lazy(), headers, "xlsx"


def _excel_text(value: object) -> str | None:
    """Cells as text: 3.0 → '3', dates → ISO; identity numbers stored as text stay text."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def header_key(header: str) -> str:
    """'认缴出资额（万元） ' and '认缴出资额(万元)' are the same header."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header or ""))


def _map_headers(feed: Feed, headers: list[str]) -> dict[str, str]:
    """canonical column (or `<prefix>id_digest`) → source column `cN`; FeedError if required ones are missing."""
    keys = [header_key(h) for h in headers]
    position: dict[str, int] = {}
    for i, k in enumerate(keys):
        position.setdefault(k, i)
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for col in feed.columns:
        found = next((position[header_key(h)] for h in col.headers if header_key(h) in position), None)
        digest = next((position[header_key(h)] for h in col.digest_headers if header_key(h) in position), None)
        if found is not None:
            mapping[col.name] = f"c{found}"
        if digest is not None:
            mapping[f"{col.prefix}id_digest"] = f"c{digest}"
        if col.required and found is None and digest is None:
            alternatives = " 或 ".join((col.headers[0], *col.digest_headers))
            missing.append(alternatives)
    if missing:
        raise FeedError(
            f"缺少必需的列：{'、'.join(missing)}；整个文件未导入（{feed.department}{feed.title}应有列："
            f"{'、'.join(c.headers[0] for c in feed.columns)}）"
        )
    return mapping


# --- normalising -------------------------------------------------------------------------------
Messages = dict[str, list[tuple[str, pl.Expr]]]  # output column → [(bad flag column, reason)]


def _raw_columns(frame: pl.LazyFrame | pl.DataFrame) -> list[str]:
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    return [c for c in schema.names() if re.fullmatch(r"c[0-9]+", c)]


def _fast(feed: Feed, frame: pl.LazyFrame, mapping: dict[str, str], today: dt.date) -> pl.LazyFrame:
    """Every row, the cheap way: canonical cells read directly, `_slow` marks rows needing the full path."""
    raw_columns = _raw_columns(frame)
    # Blank lines are not rows (empty cells read as null). A row of spaces is a row: rejected, not lost.
    frame = frame.filter(~pl.all_horizontal([pl.col(c).is_null() for c in raw_columns]))
    stages: list[list[normalise.Stage]] = []
    flags: list[str] = []
    for col in feed.columns:
        raw = _source(mapping, col.name)
        if col.kind == Kind.ID:
            p = col.prefix
            digest_raw = _source(mapping, f"{p}id_digest")
            stages.append(normalise.fast(raw, col, f"{p}id_number", today))
            stages.append(normalise.fast_digest(digest_raw, f"{p}id_digest"))
            stages.append([{f"{p}id_raw": pl.coalesce(raw, digest_raw), f"{p}id_error": pl.lit(None, pl.String)}])
            flags += [f"{p}id_number{normalise.SLOW}", f"{p}id_digest{normalise.SLOW}"]
        else:
            stages.append(normalise.fast(raw, col, col.name, today))
            flags.append(col.name + normalise.SLOW)
    frame = normalise.apply_stages(frame, stages)
    if not feed.has_name:
        frame = frame.with_columns(name=pl.lit(None, pl.String))
    frame = frame.with_columns(pl.col("_row").cast(pl.Int64), _sort=pl.col("id_number__key"))
    return frame.with_columns(_slow=pl.any_horizontal(*[pl.col(f) for f in flags], _unusable(feed)))


def _normalised(
    feed: Feed, frame: pl.LazyFrame, mapping: dict[str, str], today: dt.date
) -> tuple[pl.LazyFrame, Messages]:
    """The full path (rows `_fast` flagged): every normaliser, cheap bad flags; `_dirty` marks rows needing reasons."""
    raw_columns = _raw_columns(frame)
    frame = frame.filter(~pl.all_horizontal([pl.col(c).is_null() for c in raw_columns]))
    stages: list[list[normalise.Stage]] = []
    messages: Messages = {"_cells": []}
    for col in feed.columns:
        raw = _source(mapping, col.name)
        if col.kind == Kind.ID:
            p = col.prefix
            number = normalise.id_number(raw, col, f"{p}id_number", today)
            digest_raw = _source(mapping, f"{p}id_digest")
            header = col.digest_headers[0] if col.digest_headers else ""
            digest = normalise.id_digest(digest_raw, header, f"{p}id_digest")
            stages += [number.stages, digest.stages]
            stages.append([{f"{p}id_raw": pl.coalesce(raw.str.strip_chars(), digest_raw.str.strip_chars())}])
            # A bad number is kept (null number + id_error), not rejected; `_unusable` decides.
            messages[f"{p}id_error"] = [
                (f"{p}id_number{normalise.BAD}", number.message),
                (f"{p}id_digest{normalise.BAD}", digest.message),
            ]
            continue
        norm = normalise.cell(raw, col, col.name)
        stages.append(norm.stages)
        messages["_cells"].append((col.name + normalise.BAD, norm.message))
        if col.nonempty:
            stages.append([{col.name + "__empty": raw.str.strip_chars().fill_null("") == ""}])
            messages["_cells"].append((col.name + "__empty", pl.lit(f"{col.title}：为空")))
    frame = normalise.apply_stages(frame, stages)
    if not feed.has_name:
        frame = frame.with_columns(name=pl.lit(None, pl.String))
    flags = [pl.col(flag) for pairs in messages.values() for flag, _ in pairs]
    frame = frame.with_columns(pl.col("_row").cast(pl.Int64), _sort=pl.col("id_number__key"), _unusable=_unusable(feed))
    return frame.with_columns(_dirty=pl.any_horizontal(*flags, pl.col("_unusable"))), messages


def _explain(dirty: pl.DataFrame, feed: Feed, messages: Messages) -> pl.DataFrame:
    """Pass 2, only rows with a bad cell: id_error and the row's 错误原因 (null when it is kept)."""
    ids = {
        out: pl.coalesce([pl.when(pl.col(flag)).then(message) for flag, message in pairs])
        for out, pairs in messages.items()
        if out != "_cells"
    }
    dirty = dirty.with_columns(**ids)
    reasons = [pl.when(pl.col(flag)).then(message) for flag, message in messages["_cells"]]
    reasons.append(pl.when(pl.col("_unusable")).then(_unusable_reason(feed)))
    joined = pl.concat_str(reasons, separator="；", ignore_nulls=True)
    return dirty.with_columns(_errors=pl.when(joined == "").then(None).otherwise(joined))


def _source(mapping: dict[str, str], name: str) -> pl.Expr:
    src = mapping.get(name)
    return pl.col(src) if src else pl.lit(None, pl.String)


def _usable(feed: Feed) -> list[pl.Expr]:
    return [
        pl.col(f"{c.prefix}id_number").is_not_null() | pl.col(f"{c.prefix}id_digest").is_not_null()
        for c in feed.id_columns
    ]


def _unusable(feed: Feed) -> pl.Expr:
    """A row that identifies nobody: no usable number or digest and no name (marriage: neither party)."""
    usable = _usable(feed)
    if feed.has_name:
        return ~usable[0] & pl.col("name").is_null()
    return ~pl.any_horizontal(usable)


def _unusable_reason(feed: Feed) -> pl.Expr:
    if feed.has_name:
        id_col = feed.id_columns[0]
        name_title = feed.column("name").title
        return pl.coalesce(
            pl.col("id_error") + pl.lit(f"，且{name_title}为空"), pl.lit(f"{id_col.title}和{name_title}均为空")
        )
    titles = "和".join(c.title for c in feed.id_columns)
    return pl.lit(f"{titles}均为空或无效，无法确定当事人")


def _write_rejects(rejected: pl.DataFrame, headers: list[str], target: Path) -> None:
    """Original cells under their original headers (row number first) plus 错误原因; UTF-8 with BOM.

    A cell or header that would start a formula in Excel keeps its text behind a leading apostrophe.
    """
    seen: dict[str, int] = {}
    names = []
    for h in headers:  # a file may repeat a header; the rejects file keeps every column
        seen[h] = seen.get(h, 0) + 1
        names.append(h if seen[h] == 1 else f"{h}({seen[h]})")
    present = set(rejected.columns)
    cells = [(pl.col(f"c{i}") if f"c{i}" in present else pl.lit(None, pl.String)).alias(n) for i, n in enumerate(names)]
    out = rejected.select(pl.col("_row").alias(ROW_HEADER), *cells, pl.col("_errors").alias(REASON))
    write_frame_csv(out, target)  # cells and headers that would start a formula get a leading apostrophe
