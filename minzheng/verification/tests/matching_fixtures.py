"""Feed rows with a known truth for the matching tests: the demo county, and harder mess on top.

The demo's `FeedRows.mess` draws from its own seeded generator; `TruthRows` lets it draw exactly
as in the demo and only writes down whose row each call produced, so the rows are the demo's
rows and the truth is exact.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa

from minzheng.core.idnumber import IdNumberError, check_digit, parse
from minzheng.demo.feedrows import FeedRows, Resident
from minzheng.demo.feeds import read_residents
from minzheng.demo.generator import division_names, write_residents_file
from minzheng.demo.names import homophone

AS_OF = dt.date(2026, 6, 1)
SINGLE_ROW_FEEDS = ("death", "vehicle", "deposit", "enterprise", "disability", "public_payroll", "real_estate")


class TruthRows(FeedRows):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.truth: list[str] = []

    def mess(self, p: Resident) -> tuple[str, str]:
        self.truth.append(p.id_number)
        return super().mess(p)


def county(tmp: Path, persons: int, seed: int) -> list[Resident]:
    path = tmp / f"residents-{persons}-{seed}.csv"
    if not path.exists():
        write_residents_file(path, persons=persons, seed=seed)
    return read_residents(path, AS_OF)


def normalised(raw: str) -> str | None:
    try:
        return parse(raw, today=AS_OF).number
    except IdNumberError:
        return None


def registry_table(people: list[Resident]) -> pa.Table:
    parsed = [parse(p.id_number) for p in people]
    return pa.table(
        {
            "id_number": [p.id_number for p in people],
            "name": [p.name for p in people],
            "birth_date": pa.array([x.birth_date for x in parsed], pa.date32()),
            "sex": [x.sex for x in parsed],
            "division_code": [p.division for p in people],
        }
    )


def snapshot_table(numbers: list[str], names: list[str | None], digests: list[str | None] | None = None) -> pa.Table:
    """The contract's common snapshot columns; `_row` counts from 2 (the header is row 1)."""
    n = len(numbers)
    return pa.table(
        {
            "_row": pa.array(range(2, n + 2), pa.int64()),
            "id_number": pa.array([normalised(x) if x else None for x in numbers], pa.string()),
            "id_raw": pa.array([x or None for x in numbers], pa.string()),
            "id_digest": pa.array(digests or [None] * n, pa.string()),
            "name": pa.array(names, pa.string()),
        }
    )


def demo_feed(people: list[Resident], feed: str, seed: int) -> tuple[pa.Table, list[str]]:
    """One demo feed's rows (identity columns only) and, per row, the true person's number."""
    rows_of = TruthRows(people, AS_OF, seed, division_names("330212"))
    rows = getattr(rows_of, feed)()
    assert len(rows) == len(rows_of.truth)  # one mess() per row in these feeds
    return snapshot_table([r[0] for r in rows], [r[1] for r in rows]), rows_of.truth


def transpose(number: str, rng: random.Random) -> str:
    """Swap two adjacent, different digits among the first 17 (the check digit then fails)."""
    while True:
        i = rng.randrange(0, 16)
        if number[i] != number[i + 1]:
            return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def substitute(number: str, rng: random.Random) -> str:
    i = rng.randrange(0, 17)
    return number[:i] + rng.choice([d for d in "0123456789" if d != number[i]]) + number[i + 1 :]


def outsider(rng: random.Random) -> str:
    """A valid number from another province (杭州 is 3301; this is 江苏 南京), unknown to the county."""
    first17 = (
        f"320102{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return first17 + check_digit(first17)


def hard_mess(people: list[Resident], k: int, seed: int) -> tuple[pa.Table, list[str | None]]:
    """`k` rows each of: transposed digits, a substituted digit, a wrong check digit with a homophone
    name, a missing number, and a valid number of someone outside the registry (truth None)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    chosen = rng.sample(people, 4 * k)
    numbers: list[str] = []
    names: list[str | None] = []
    truth: list[str | None] = []
    for i, p in enumerate(chosen):
        kind = i % 4
        if kind == 0:
            numbers.append(transpose(p.id_number, rng))
            names.append(p.name)
        elif kind == 1:
            numbers.append(substitute(p.id_number, rng))
            names.append(p.name)
        elif kind == 2:
            wrong = "0" if p.id_number[17] != "0" else "1"
            numbers.append(p.id_number[:17] + wrong)
            names.append(homophone(p.name))
        else:
            numbers.append("")
            names.append(p.name)
        truth.append(p.id_number)
    for p in rng.sample(people, k):  # a stranger who happens to carry a resident's name
        numbers.append(outsider(rng))
        names.append(p.name)
        truth.append(None)
    return snapshot_table(numbers, names), truth
