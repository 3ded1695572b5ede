"""Pass 1 a batch of rows at a time: every per-row check run over whole columns.

`RowParser.parse` checks one row at a time; at a million rows its Python per cell was most
of an import's CPU (docs/notes/s16b_import.md). Here the same checks run over a batch's
columns: lengths and NUL once per column, the identity number's pattern and check digit
vectorised (Polars), birth dates, relations, addresses and tags once per distinct value.
A row that passes every check is built from the columns with the values `parse` would give.
A row that fails any of them (or that the fast checks cannot judge: a 15-digit number,
full-width digits, a landline) goes through `RowParser.parse` itself, so its reason (the
first bad column, the same Chinese text) and its normalised values are exactly the row
path's. Correctness rests on one rule: the fast path accepts only rows `parse` accepts,
with the values `parse` returns; everything else is `parse`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

import polars as pl

from minzheng.registry.importing.rows import LIMITS, RowError, RowParser, phone_value

Staged = tuple[Any, ...]  # (row_no, cells joined, reason, *ResidentRow fields): a staging row

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = dict(enumerate("10X98765432"))  # weighted sum mod 11 → the check character (GB 11643)
_ID = pl.col("id")
# Only plain ASCII 18-character numbers are judged here; idnumber.parse normalises anything else.
_ID_COLUMNS = (
    _ID.str.contains(r"^[0-9]{17}[0-9X]$").alias("plain"),
    pl.sum_horizontal([_ID.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(_WEIGHTS)])
    .mod(11)
    .replace_strict(_CHECK, default="?", return_dtype=pl.String)
    .alias("expected"),
    _ID.str.slice(17, 1).alias("last"),
    _ID.str.slice(6, 8).alias("born"),
    (_ID.str.slice(16, 1).cast(pl.Int32, strict=False).mod(2) == 1).alias("odd"),
)


def _born_iso(digits: str, today: dt.date) -> str | None:
    """idnumber._birth's verdict on YYYYMMDD: a real date, not after today, from 1880 on."""
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return born.isoformat() if born.year >= 1880 and born <= today else None


def _verdicts(values: Iterable[str], parse: Callable[[str], str]) -> dict[str, str | None]:
    """Each distinct value's parsed form, or None when the parser refuses it."""
    found: dict[str, str | None] = {}
    for value in set(values):
        try:
            found[value] = parse(value)
        except RowError:
            found[value] = None
    return found


class BatchParser:
    """Checks a batch of rows column by column; `parser` handles the rows the fast checks do not accept."""

    def __init__(self, parser: RowParser) -> None:
        self.parser = parser
        self.births: dict[str, str | None] = {}  # YYYYMMDD → ISO date or None; about 53,000 at most

    def stage_rows(self, first_no: int, rows: list[list[str]], sep: str) -> list[Staged]:
        """Staging rows for `rows` numbered from `first_no`: accepted ones with their values, others with a reason."""
        if not rows:
            return []
        bad: set[int] = set()
        columns = self._columns(rows, bad)
        staged = list(zip(range(first_no, first_no + len(rows)), map(sep.join, rows), repeat(None), *columns))
        for i in bad:
            staged[i] = self._one(first_no + i, rows[i], sep)
        return staged

    def _one(self, row_no: int, cells: list[str], sep: str) -> Staged:
        try:
            return (row_no, sep.join(cells), None, *self.parser.parse(cells))
        except RowError as exc:
            return (row_no, sep.join(cells), str(exc), *repeat(None, 13))

    def _columns(self, rows: list[list[str]], bad: set[int]) -> list[list[Any]]:
        """The 13 ResidentRow columns as `parse` would give them; rows it might refuse are added to `bad`."""
        p = self.parser
        cells = list(zip(*rows, strict=True))  # tabular pads every row to the header's width
        self._check_cells(cells, bad)
        name_i, id_i, hh_i, rel_i, div_i = p.required
        names = self._names(cells[name_i], bad)
        numbers, sexes, borns = self._id_numbers(cells[id_i], bad)
        households = cells[hh_i]
        if "" in households:
            bad.update(i for i, v in enumerate(households) if not v)
        relation = self._mapped(cells[rel_i], p.relation, bad)
        division = self._mapped(cells[div_i], p.division, bad)
        empty = [""] * len(rows)
        grid, building, unit, room, phone, tags = (list(cells[i]) if i is not None else empty for i in p.optional)
        tags = self._mapped(tags, p.tags, bad)
        most = LIMITS["人员标签"]
        bad.update(i for i, v in enumerate(tags) if v is not None and len(v) > most)
        phone = self._phones(phone, bad)
        # 网格/楼栋/单元/房间: their limits were checked on the raw cells (_check_cells), which is all parse does.
        address = [division, grid, building, unit, room]
        return [names, numbers, sexes, borns, list(households), relation, *address, phone, tags]

    def _check_cells(self, cells: list[tuple[str, ...]], bad: set[int]) -> None:
        """NUL anywhere and over-long raw cells: such rows go to parse, which names the column."""
        for values in cells:
            if "\x00" in "".join(values):
                bad.update(i for i, v in enumerate(values) if "\x00" in v)
        for column, _, most in self.parser.limits:
            if max(map(len, cells[column])) > most:
                bad.update(i for i, v in enumerate(cells[column]) if len(v) > most)

    @staticmethod
    def _names(raw: tuple[str, ...], bad: set[int]) -> list[str]:
        names = [v.replace(" ", "") for v in raw] if " " in "".join(raw) else list(raw)
        if "" in names or max(map(len, names)) > LIMITS["姓名"]:
            bad.update(i for i, v in enumerate(names) if not v or len(v) > LIMITS["姓名"])
        return names

    def _id_numbers(self, raw: tuple[str, ...], bad: set[int]) -> tuple[list[str], list[str], list[str | None]]:
        """(number, sex, ISO birth date) per row for clean numbers with a right check digit and a possible date."""
        frame = pl.DataFrame({"id": raw}, schema={"id": pl.String}).select(*_ID_COLUMNS)
        digits = frame.get_column("born")
        # Each distinct YYYYMMDD judged once (the births seen are remembered, bounded); then mapped by Polars.
        dates = {key: self._born(key) for key in digits.unique().to_list()}
        frame = frame.with_columns(born=digits.replace_strict(dates, default=None, return_dtype=pl.String))
        ok = pl.col("plain") & (pl.col("expected") == pl.col("last")) & pl.col("born").is_not_null()
        bad.update(frame.select(ok.not_().arg_true()).to_series().to_list())
        sexes = frame.select(pl.when(pl.col("odd")).then(pl.lit("M")).otherwise(pl.lit("F"))).to_series().to_list()
        return list(raw), sexes, frame.get_column("born").to_list()

    def _born(self, digits: str) -> str | None:
        if (known := self.births.get(digits, "")) != "":
            return known
        born = _born_iso(digits, self.parser.today)
        if len(self.births) < 60_000:
            self.births[digits] = born
        return born

    @staticmethod
    def _mapped(raw: Iterable[str], parse: Callable[[str], str], bad: set[int]) -> list[Any]:
        """A cached cell parser applied per distinct value; refused values put their rows in `bad`."""
        values = list(raw)
        verdicts = _verdicts(values, parse)
        mapped = list(map(verdicts.__getitem__, values))
        if None in verdicts.values():
            bad.update(i for i, v in enumerate(mapped) if v is None)
        return mapped

    @staticmethod
    def _phones(raw: list[str], bad: set[int]) -> list[str]:
        """Empty or a plain 11-digit mobile stays as it is; any other cell gets parse's own expression."""
        fast = pl.Series(raw, dtype=pl.String).str.contains(r"^(1[0-9]{10})?$").to_list()
        if all(fast):
            return raw
        phones = list(raw)
        for i, ok in enumerate(fast):
            if not ok:
                try:
                    phones[i] = phone_value(raw[i])
                except RowError:
                    bad.add(i)
        return phones
