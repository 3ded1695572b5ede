"""Parameters as the engine sees them: one resolved value, a source protocol, a pre-resolved table.

The database implementation (rules.models.Parameter, r2) and the in-memory one below (YAML, for
tests, scenarios and the benchmark) answer the same question: the value of KEY for a region on a
date, falling back village → town → county → city → province → national, latest effective-from
not after the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import polars as pl
import yaml

ParamScalar = Decimal | int | str

# The pre-resolved table for batch: one row per (region_code, key) actually met in the data.
PARAM_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),  # the household's 12-digit division code as in the input
    "key": pl.String(),
    "value": pl.String(),  # Decimal/int/str written exactly as text; the engine converts by unit
    "unit": pl.String(),
    "source_region": pl.String(),  # the region whose row applied ("" = national)
    "effective_from": pl.Date(),
    "reference": pl.String(),
}


@dataclass(frozen=True, slots=True)
class ParamValue:
    key: str
    value: ParamScalar
    unit: str
    region_code: str  # region whose row applied; "" = national default
    effective_from: dt.date
    reference: str


class ParamMissing(LookupError):
    """No value in force: the message is Chinese and names the key, region and date."""

    def __init__(self, key: str, region_code: str, as_of: dt.date) -> None:
        super().__init__(f"参数“{key}”在地区 {region_code or '全国'} 于 {as_of.isoformat()} 没有生效的取值")
        self.key, self.region_code, self.as_of = key, region_code, as_of


@runtime_checkable
class ParamSource(Protocol):
    """Resolves one key for one region on one date; raises ParamMissing when nothing is in force."""

    def __call__(self, key: str, region_code: str, as_of: dt.date) -> ParamValue: ...


def region_chain(region_code: str) -> list[str]:
    """12-digit code → itself, town, county, city, province, national ("")."""
    code = _normalise_region(region_code)
    chain = [code] if code else []
    chain += [code[:width] for width in (9, 6, 4, 2) if len(code) > width]
    chain.append("")
    return chain


def _normalise_region(code: str) -> str:
    """`330212000000` → `330212`: trailing zero levels carry no information."""
    text = str(code).strip()
    for width in (2, 4, 6, 9):
        if len(text) > width and set(text[width:]) <= {"0"}:
            return text[:width]
    return text


@dataclass(frozen=True, slots=True)
class _Row:
    region: str
    effective_from: dt.date
    value: ParamScalar
    reference: str


@dataclass(slots=True)
class _Entry:
    description: str
    unit: str
    rows: list[_Row]
    # region → its rows in file order, built on first use: a county-keyed parameter has a row per
    # county, and resolving a province's table scanned every row for every region (issue 16).
    by_region: dict[str, list[_Row]] | None = None

    def rows_of(self, region: str) -> list[_Row]:
        if self.by_region is None:
            index: dict[str, list[_Row]] = {}
            for row in self.rows:
                index.setdefault(row.region, []).append(row)
            self.by_region = index
        return self.by_region.get(region, [])


# The C parser when PyYAML has it (same types, several times faster on the parameter files).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


class YamlParamSource:
    """In-memory parameters from the import format of issue 4 (and `params_default.yaml`)."""

    def __init__(self, entries: Mapping[str, _Entry]) -> None:
        self._entries = dict(entries)

    @classmethod
    def from_file(cls, path: Path) -> YamlParamSource:
        return cls.from_mapping(_load_yaml(path) or {}, origin=path.name)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> YamlParamSource:
        """Several files as one source; a key defined in two files is refused (one key, one home)."""
        entries: dict[str, _Entry] = {}
        homes: dict[str, str] = {}
        for path in map(Path, paths):
            name = "/".join(path.parts[-3:])  # meals/data/params.yaml: the apps' files share a name
            for key, body in (_load_yaml(path) or {}).items():
                if str(key) in homes:
                    raise ValueError(f"{name}：参数“{key}”已在 {homes[str(key)]} 中定义")
                homes[str(key)] = name
                entries[str(key)] = _entry(name, str(key), body)
        return cls(entries)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "参数") -> YamlParamSource:
        entries = {str(key): _entry(origin, str(key), body) for key, body in data.items()}
        return cls(entries)

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def unit(self, key: str) -> str:
        return self._entries[key].unit

    def region_depth(self) -> int:
        """The longest stored region code: resolving deeper than this gives nothing new."""
        return max((len(r.region) for e in self._entries.values() for r in e.rows), default=0)

    def overlay(self, data: Mapping[str, Any]) -> YamlParamSource:
        """A copy with extra dated rows (what-if, scenario overrides); the new rows win ties."""
        merged = {k: _Entry(e.description, e.unit, list(e.rows)) for k, e in self._entries.items()}
        for key, body in data.items():
            extra = _entry("覆盖参数", str(key), body, default_unit=merged[key].unit if key in merged else "")
            if key in merged:
                merged[key].rows.extend(extra.rows)
            else:
                merged[key] = extra
        return YamlParamSource(merged)

    def __call__(self, key: str, region_code: str, as_of: dt.date) -> ParamValue:
        entry = self._entries.get(key)
        if entry is None:
            raise ParamMissing(key, region_code, as_of)
        for region in region_chain(region_code):
            best = _latest(entry.rows_of(region), region, as_of)
            if best is not None:
                return ParamValue(key, best.value, entry.unit, best.region, best.effective_from, best.reference)
        raise ParamMissing(key, region_code, as_of)


def _latest(rows: list[_Row], region: str, as_of: dt.date) -> _Row | None:
    best: _Row | None = None
    for row in rows:  # later rows win ties so overlays override
        in_force = row.region == region and row.effective_from <= as_of
        if in_force and (best is None or row.effective_from >= best.effective_from):
            best = row
    return best


def _entry(origin: str, key: str, body: Any, default_unit: str = "") -> _Entry:
    if not isinstance(body, Mapping) or "values" not in body:
        raise ValueError(f"{origin}：参数“{key}”缺少 values 列表")
    unit = str(body.get("unit") or default_unit)
    rows = [_value_row(origin, key, item) for item in body["values"]]
    return _Entry(str(body.get("description", "")), unit, rows)


def _value_row(origin: str, key: str, item: Any) -> _Row:
    try:
        start = item["from"]
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        return _Row(
            _normalise_region(str(item.get("region") or "")),
            start,
            parse_value(item["value"]),
            str(item.get("reference", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{origin}：参数“{key}”的取值 {item!r} 无法识别（需要 region、from、value）") from exc


def parse_value(raw: Any) -> ParamScalar:
    """YAML scalar → Decimal (never float: 1181.5 stays exact), int, or str."""
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = str(raw).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def value_text(value: ParamScalar) -> str:
    return str(value)


def match_regions(available: set[str], wanted: Iterable[str]) -> dict[str, str]:
    """Each wanted code → the longest available code that is it or a prefix of it (missing: left out)."""
    out: dict[str, str] = {}
    for region in set(wanted):
        for candidate in (region, *region_chain(region)):
            if candidate in available:
                out[region] = candidate
                break
    return out


def _normalised_prefixes(codes: pl.Series, width: int) -> list[str]:
    """`_normalise_region(c)[:width]` for every distinct code, vectorised."""
    if not width:
        return [""]
    code = pl.col("c").cast(pl.String).str.strip_chars()
    out: pl.Expr = code
    for w in (9, 6, 4, 2):  # the shortest width whose tail is all zeros wins, as in _normalise_region
        tail_zero = (code.str.len_chars() > w) & code.str.slice(w).str.contains("^0*$")
        out = pl.when(tail_zero).then(code.str.slice(0, w)).otherwise(out)
    frame = codes.unique().to_frame("c").select(out.str.slice(0, width).alias("c")).unique()
    return frame.get_column("c").to_list()


def params_table(
    source: ParamSource | Callable[[str, str, dt.date], ParamValue],
    keys: Iterable[str],
    region_codes: Iterable[str],
    as_of: dt.date,
) -> pl.DataFrame:
    """Resolve every key once per region: the batch's input (one row per region × key)."""
    return pl.DataFrame(params_rows(source, keys, region_codes, as_of), schema=PARAM_TABLE_SCHEMA)


def params_rows(
    source: ParamSource | Callable[[str, str, dt.date], ParamValue],
    keys: Iterable[str],
    region_codes: Iterable[str],
    as_of: dt.date,
) -> list[dict[str, Any]]:
    """`params_table`'s rows as dicts (one household reads them without building the table).

    A source that knows how deep its stored regions go (`region_depth()`, e.g. 6 when nothing is
    set below county level) is asked once per distinct prefix of that depth; the engine matches a
    village to its county's row by prefix.
    """
    depth = getattr(source, "region_depth", None)
    series = region_codes if isinstance(region_codes, pl.Series) else None
    codes = set(region_codes) if series is None else None
    many = (series.n_unique() if series is not None else len(codes or ())) > 64
    if callable(depth) and many:  # a few regions: keep their own codes (clearer messages)
        width = int(depth())
        # In Polars, not per code in Python: a province has tens of thousands of villages (issue 16).
        column = series if series is not None else pl.Series(sorted(codes or ()), dtype=pl.String())
        codes = set(_normalised_prefixes(column, width))
    elif codes is None:
        codes = set(series)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    for region in sorted(codes):
        for key in keys:
            try:
                pv = source(key, region, as_of)
            except ParamMissing:  # no row: the policies reading this key are undecided here, not refused
                continue
            rows.append(
                {
                    "region_code": region,
                    "key": key,
                    "value": value_text(pv.value),
                    "unit": pv.unit,
                    "source_region": pv.region_code,
                    "effective_from": pv.effective_from,
                    "reference": pv.reference,
                }
            )
    return rows


class TableParamSource:
    """A ParamSource over a pre-resolved table (lets the one-household path reuse a batch table)."""

    def __init__(self, table: pl.DataFrame) -> None:
        self._rows = {(r["region_code"], r["key"]): r for r in table.iter_rows(named=True)}

    def __call__(self, key: str, region_code: str, as_of: dt.date) -> ParamValue:
        regions = {r for r, _ in self._rows}
        match = match_regions(regions, [region_code]).get(region_code)
        row = self._rows.get((match, key)) if match is not None else None
        if row is None:
            raise ParamMissing(key, region_code, as_of)
        return ParamValue(
            key, parse_value(row["value"]), row["unit"], row["source_region"], row["effective_from"], row["reference"]
        )
