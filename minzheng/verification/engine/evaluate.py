"""The evaluation: members + their feed rows → per-person facts, findings with evidence, household totals.

One pure, vectorised Polars function for one household (the 一键核对 path) and for a whole county
partition (the batch, on DuckDB or Spark's `applyInArrow`) alike, so every path gives the same answer.
Django-free: it takes and returns Arrow tables (docs/notes/verification-contract.md, "Evaluation").

Rules encoded here (issue 3, deliverable 4):
- monthly income per source is the average over the 6 calendar months before `as_of` that have data
  (a month with no row is not a zero month); when a person's month appears in several snapshots the
  newest snapshot wins; averages round half up to the fen;
- wage: from 社保缴费基数 when the person has any in the window, else from the tax feed's 工资薪金所得;
  every other tax item is 其他收入; pension and unemployment benefit are their own sources;
- deceased: every source that says so (户籍 死亡注销, 死亡医学证明, 火化), with the earliest date;
- in prison: admitted ≤ as_of < release (no release date = still in); enterprise roles count only in
  status 存续/在业; student only when 在校.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.verification.engine import facts, small
from minzheng.verification.engine.texts import (
    BASE_COLUMNS,
    FEED_COLUMNS,
    FEED_LABELS,
    FEED_ORDER,
    FINDINGS_SCHEMA,
    FLAG_LABELS,
    FLAGS,
    MONTHLY_FEEDS,
    yuan,
)

__all__ = ["FEED_LABELS", "FLAGS", "FLAG_LABELS", "Result", "digest", "evaluate", "window", "with_digests", "yuan"]
window = facts.window


@dataclass(frozen=True)
class Result:
    persons: pa.Table
    findings: pa.Table
    households: pa.Table


def digest(id_number: str, key: bytes) -> str:
    """身份号码摘要: HMAC-SM3 of the normalised 18-digit number, lower-case hex (DATA_CONTRACTS §2)."""
    return hmac.new(key, id_number.encode("ascii"), "sm3").hexdigest()


def with_digests(members: pa.Table, key: bytes) -> pa.Table:
    """The members with their `id_digest`, so rows of digest feeds (securities) find their person."""
    digests = pa.array([digest(n, key) for n in members.column("id_number").to_pylist()], pa.string())
    if "id_digest" in members.column_names:
        members = members.drop_columns(["id_digest"])
    return members.append_column("id_digest", digests)


def evaluate(members: pa.Table, feeds: Mapping[str, pa.Table], as_of: dt.date, links: pa.Table | None = None) -> Result:
    """Evaluate every member of `members` (one or many households) against `feeds` as of `as_of`.

    `members`: id_number, name, household_no (+ division_code, birth_date; + id_digest for digest feeds).
    `feeds`: feed id → snapshot rows (contract columns + `feed_as_of`, `_row`), any superset of the members.
    `links`: confirmed non-number matches: feed, feed_as_of, _row, id_number, match_weight.
    One household (small inputs) is evaluated in plain Python by engine/small.py, with the same result.
    """
    quick = small.evaluate(members, feeds, as_of, links)
    if quick is None:
        return evaluate_plans(members, feeds, as_of, links)
    persons, findings, households = (
        pa.Table.from_pydict({f.name: cols.get(f.name, []) for f in schema}, schema=schema)
        for cols, schema in zip(quick, _schemas(), strict=True)
    )
    return Result(persons, findings, households)


@functools.cache
def _schemas() -> tuple[pa.Schema, pa.Schema, pa.Schema]:
    """The result tables' Arrow schemas as the Polars plans give them (computed once)."""
    one = pa.table({"id_number": ["110101199001011234"], "name": ["某"], "household_no": ["H"]})
    r = evaluate_plans(one, {}, dt.date(2000, 1, 1))
    return r.persons.schema, r.findings.schema, r.households.schema


def evaluate_plans(
    members: pa.Table, feeds: Mapping[str, pa.Table], as_of: dt.date, links: pa.Table | None = None
) -> Result:
    """`evaluate` through Polars plans, whatever the size (the batch's path; the reference in tests)."""
    m = _members(members)
    rows = _prepare_all(members_frame=m, feeds=feeds, links=links, as_of=as_of)
    present = frozenset(f for f, r in rows.items() if r.height)
    lazy = {feed: r.lazy() for feed, r in rows.items()}
    persons = m.lazy().select("_order", "household_no", "id_number", "name")
    parts: list[pl.LazyFrame] = []
    # Only the feeds that hold a member's row build plans: a household has rows in ~5 of the 19 feeds,
    # and Polars' cost per operation (not per row) is what one household pays.
    for found, findings in (
        facts.income(lazy, as_of, present),
        facts.deceased(lazy, as_of, present),
        facts.assets(lazy, present),
        facts.status(lazy, as_of, present),
        facts.other(lazy, as_of, present),
    ):
        persons = persons.join(found, on="id_number", how="left") if found is not None else persons
        parts.extend(findings)
    persons = _with_missing_facts(persons)
    # Few, optimised plans: a household is ~500 small operations, and collecting each one eagerly
    # would cost more than the lookups; the persons are collected once, as the households read them.
    done, flagged = pl.collect_all([_finish_persons(persons), _finish_findings(parts, m.lazy())])
    households = _households(done.lazy()).collect()
    return Result(done.to_arrow(), flagged.to_arrow(), households.to_arrow())


@functools.cache
def _fact_schema() -> pl.Schema:
    """The persons' fact columns and types, as every feed present would give them (computed once)."""
    lazy = {feed: _empty(feed).lazy() for feed in FEED_COLUMNS}
    every = frozenset(FEED_COLUMNS)
    p = pl.LazyFrame(schema={"id_number": pl.String})
    for found, _ in (
        facts.income(lazy, dt.date.max, every),
        facts.deceased(lazy, dt.date.max, every),
        facts.assets(lazy, every),
        facts.status(lazy, dt.date.max, every),
    ):
        assert found is not None
        p = p.join(found, on="id_number", how="left")
    return p.drop("id_number").collect_schema()


def _with_missing_facts(persons: pl.LazyFrame) -> pl.LazyFrame:
    """Fact columns of the feeds that had no rows: nulls of the type the feed would have given."""
    have = set(persons.collect_schema().names())
    missing = [pl.lit(None, t).alias(c) for c, t in _fact_schema().items() if c not in have]
    return persons.with_columns(missing) if missing else persons


# --- inputs -------------------------------------------------------------------------------------


def _members(members: pa.Table) -> pl.DataFrame:
    m = pl.from_arrow(members)
    assert isinstance(m, pl.DataFrame)
    if "id_digest" not in m.columns:
        m = m.with_columns(id_digest=pl.lit(None, pl.String))
    return m.with_columns(
        pl.col("id_number").cast(pl.String),
        pl.col("household_no").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("id_digest").cast(pl.String),
        _order=pl.int_range(pl.len(), dtype=pl.Int64),
    )


def _prepare_all(
    *, members_frame: pl.DataFrame, feeds: Mapping[str, pa.Table], links: pa.Table | None, as_of: dt.date
) -> dict[str, pl.DataFrame]:
    """Every feed's member rows (`_prepare`), the delivered feeds collected together in one call."""
    plans = {feed: _prepare(feed, feeds.get(feed), members_frame, links, as_of) for feed in FEED_COLUMNS}
    todo = [feed for feed, p in plans.items() if p is not None]
    out = dict(zip(todo, pl.collect_all([plans[f] for f in todo]), strict=True)) if todo else {}  # type: ignore[misc]
    return {feed: out[feed] if feed in out else _empty(feed) for feed in FEED_COLUMNS}


def _prepare(
    feed: str, table: pa.Table | None, m: pl.DataFrame, links: pa.Table | None, as_of: dt.date
) -> pl.LazyFrame | None:
    """The feed's rows that belong to a member: `pid` (the member), `match` ("id"/"digest"/"confirmed").

    None when nothing was delivered (the caller uses `_empty(feed)`)."""
    if table is None or table.num_rows == 0:
        return None
    # Two cheap facts about the delivery spare a batch the joins and windows it does not need.
    digests = "id_digest" in table.column_names and table.column("id_digest").null_count < table.num_rows
    several = "feed_as_of" in table.column_names and pc.count_distinct(table.column("feed_as_of")).as_py() > 1
    f = _frame(feed, table)
    if feed == "marriage":
        # Two identity columns (男方, 女方): the row belongs to each spouse who is a member.
        swapped = f.with_columns(id_number=pl.col("spouse_id_number"), spouse_id_number=pl.col("id_number"))
        both = [
            _resolve(feed, f, m, links, as_of, digests, several),
            _resolve(feed, swapped, m, None, as_of, False, several),
        ]
        return pl.concat(both)
    return _resolve(feed, f, m, links, as_of, digests, several)


@functools.cache
def _empty(feed: str) -> pl.DataFrame:
    m = pl.DataFrame(schema={"id_number": pl.String, "household_no": pl.String, "id_digest": pl.String})
    return _resolve(feed, _frame(feed, None), m, None, dt.date.max, True, True).collect()


def _frame(feed: str, table: pa.Table | None) -> pl.LazyFrame:
    schema = {**BASE_COLUMNS, **FEED_COLUMNS[feed]}
    if table is None or table.num_rows == 0:
        return pl.LazyFrame(schema=schema)
    f = pl.from_arrow(table)
    assert isinstance(f, pl.DataFrame)
    cols = set(f.columns)
    return f.lazy().select([pl.col(c).cast(t) if c in cols else pl.lit(None, t).alias(c) for c, t in schema.items()])


def _resolve(
    feed: str,
    f: pl.LazyFrame,
    m: pl.DataFrame,
    links: pa.Table | None,
    as_of: dt.date,
    digests: bool,
    several: bool,
) -> pl.LazyFrame:
    f = f.filter(pl.col("feed_as_of") <= as_of)
    if several and feed not in MONTHLY_FEEDS:
        # A state feed's snapshot is a complete delivery: only the newest one speaks.
        f = f.filter(pl.col("feed_as_of") == pl.col("feed_as_of").max())
    if digests:
        by_digest = (
            m.lazy()
            .filter(pl.col("id_digest").is_not_null())
            .select(pl.col("id_digest"), pl.col("id_number").alias("_by_digest"))
        )
        f = f.join(by_digest, on="id_digest", how="left")
    else:
        f = f.with_columns(_by_digest=pl.lit(None, pl.String))
    f = _apply_links(feed, f, links)
    f = f.with_columns(
        pid=pl.coalesce("id_number", "_by_digest", "_by_link"),
        match=pl.when(pl.col("id_number").is_not_null())
        .then(pl.lit("id"))
        .when(pl.col("_by_digest").is_not_null())
        .then(pl.lit("digest"))
        .when(pl.col("_by_link").is_not_null())
        .then(pl.lit("confirmed")),
    )
    ids = m.lazy().select(pl.col("id_number").alias("pid"), "household_no")
    f = f.join(ids, on="pid", how="inner").drop("_by_digest", "_by_link")
    if several and feed in MONTHLY_FEEDS and "period" in FEED_COLUMNS[feed]:
        # The same person-month delivered in two snapshots: the newer delivery replaces the older.
        f = f.filter(pl.col("feed_as_of") == pl.col("feed_as_of").max().over("pid", "period"))
    return f


def _apply_links(feed: str, f: pl.LazyFrame, links: pa.Table | None) -> pl.LazyFrame:
    if links is None or links.num_rows == 0:
        return f.with_columns(_by_link=pl.lit(None, pl.String), match_weight=pl.lit(None, pl.Float64))
    linked = pl.from_arrow(links)
    assert isinstance(linked, pl.DataFrame)
    lk = (
        linked.lazy()
        .filter(pl.col("feed") == feed)
        .select(
            pl.col("feed_as_of").cast(pl.Date),
            pl.col("_row").cast(pl.Int64),
            pl.col("id_number").cast(pl.String).alias("_by_link"),
            pl.col("match_weight").cast(pl.Float64),
        )
        .unique(subset=["feed_as_of", "_row"], keep="first")
    )
    return f.join(lk, on=["feed_as_of", "_row"], how="left")


# --- results ------------------------------------------------------------------------------------

_ZERO_INT = (
    "income_wage_fen",
    "income_pension_fen",
    "income_unemployment_fen",
    "income_other_fen",
    "deposits_fen",
    "securities_fen",
    "housing_fund_balance_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "enterprise_count",
    "enterprise_capital_fen",
)
_BOOLS = ("public_payroll", "prison", "student", "disability")


def _finish_persons(p: pl.LazyFrame) -> pl.LazyFrame:
    p = p.with_columns(
        [pl.col(c).cast(pl.Int64).fill_null(0) for c in _ZERO_INT]
        + [pl.col("real_estate_area_m2").fill_null(0.0).round(2)]
        + [pl.col(c).fill_null(False) for c in _BOOLS]
        + [pl.col("death_sources").fill_null(pl.lit([], pl.List(pl.String)))]
    )
    present = {
        "deceased": pl.col("died_on").is_not_null() | (pl.col("death_sources").list.len() > 0),
        "vehicle": pl.col("vehicle_count") > 0,
        "real_estate": pl.col("real_estate_count") > 0,
        "enterprise": pl.col("enterprise_count") > 0,
        "public_payroll": pl.col("public_payroll"),
        "prison": pl.col("prison"),
        "student": pl.col("student"),
        "disability": pl.col("disability"),
        "pension": pl.col("income_pension_fen") > 0,
        "unemployment": pl.col("income_unemployment_fen") > 0,
        "wage": pl.col("income_wage_fen") > 0,
    }
    flags = pl.concat_list([pl.when(present[f]).then(pl.lit(f)).otherwise(pl.lit(None, pl.String)) for f in FLAGS])
    income = sum(
        (pl.col(c) for c in ("income_wage_fen", "income_pension_fen", "income_unemployment_fen", "income_other_fen")),
        pl.lit(0, pl.Int64),
    )
    p = p.with_columns(flags=flags.list.drop_nulls(), income_monthly_fen=income).sort("_order")
    return p.select(
        "household_no",
        "id_number",
        "name",
        "flags",
        "income_wage_fen",
        "income_pension_fen",
        "income_unemployment_fen",
        "income_other_fen",
        "income_monthly_fen",
        "wage_source",
        "deposits_fen",
        "securities_fen",
        "housing_fund_balance_fen",
        "vehicle_count",
        "vehicle_value_fen",
        "real_estate_count",
        "real_estate_area_m2",
        "enterprise_count",
        "enterprise_capital_fen",
        "died_on",
        "death_sources",
        "public_payroll",
        "prison",
        "student",
        "disability",
    )


def _finish_findings(parts: list[pl.LazyFrame], m: pl.LazyFrame) -> pl.LazyFrame:
    if not parts:
        return pl.LazyFrame(schema=FINDINGS_SCHEMA)
    findings = pl.concat([p.select(list(FINDINGS_SCHEMA)).cast(FINDINGS_SCHEMA) for p in parts])
    order = m.select("id_number", "_order")
    findings = findings.join(order, on="id_number", how="left").with_columns(
        _feed=pl.col("feed").replace_strict(FEED_ORDER, return_dtype=pl.Int64)
    )
    return findings.sort(["_order", "_feed", "feed_as_of", "_row", "kind"]).drop("_order", "_feed")


def _households(p: pl.LazyFrame) -> pl.LazyFrame:
    sums = [
        "income_wage_fen",
        "income_pension_fen",
        "income_unemployment_fen",
        "income_other_fen",
        "income_monthly_fen",
        "deposits_fen",
        "securities_fen",
        "housing_fund_balance_fen",
        "vehicle_count",
        "vehicle_value_fen",
        "real_estate_count",
        "enterprise_count",
        "enterprise_capital_fen",
    ]
    h = p.group_by("household_no", maintain_order=True).agg(
        [pl.col(c).sum() for c in sums],
        members=pl.len().cast(pl.Int64),
        deceased_members=pl.col("flags").list.contains("deceased").sum().cast(pl.Int64),
        real_estate_area_m2=pl.col("real_estate_area_m2").sum().round(2),
        _flags=pl.col("flags").list.explode(keep_nulls=False, empty_as_null=False).unique(),
    )
    n = pl.col("members")
    flags = pl.concat_list(
        [pl.when(pl.col("_flags").list.contains(f)).then(pl.lit(f)).otherwise(pl.lit(None, pl.String)) for f in FLAGS]
    )
    return h.with_columns(
        per_capita_income_monthly_fen=(2 * pl.col("income_monthly_fen") + n) // (2 * n),
        flags=flags.list.drop_nulls(),
    ).drop("_flags")
