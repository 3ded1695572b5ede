"""The engine's input tables (`engine/inputs.py`) built from the registry and the verification results.

Registry: each person's birth date, sex, relation, address and typed tags (残疾 category and grade,
失能 level, 孤儿, 留守儿童 …); `enrolled` = the programmes the person's live entitlements pay
(payments.Entitlement, not ended: their own, or their household's for a household programme) plus the
few enrolments still recorded only as a tag (刚性支出困难), and a household is enrolled in a household
policy when any member is.

Verification: income by source, assets and status per person on the as-of date come from one seam,
`verification_persons(members, as_of)`: the household's stored batch result for that date when the
verification app has one, otherwise the verification engine run now over the feed store (the same
pure function its one-household and batch paths use). Without any feed delivered, the columns take
the engine's defaults (no income, no assets) and `verified` is False, which the panel says.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from django.conf import settings

from minzheng.registry.models import Person, PersonTag
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN

# Registry tag kind → the policy it records as received (应享未享 / 不应享而享 compare with these).
TAG_POLICIES: dict[str, str] = {
    PersonTag.Kind.DIBAO: "dibao",
    PersonTag.Kind.DIBAO_EDGE: "dibao_edge",
    PersonTag.Kind.TEKUN: "tekun",
    PersonTag.Kind.ORPHAN: "orphan",
    PersonTag.Kind.UNSUPPORTED_CHILD: "unsupported_child",
    PersonTag.Kind.RIGID_EXPENSE: "rigid_expense",
}
# Kinds the payments app derives from live entitlements (programmes.yaml `tag`); not read as enrolments.
_ENTITLEMENT_TAGS = frozenset(
    {
        PersonTag.Kind.DIBAO,
        PersonTag.Kind.DIBAO_EDGE,
        PersonTag.Kind.TEKUN,
        PersonTag.Kind.ORPHAN,
        PersonTag.Kind.UNSUPPORTED_CHILD,
    }
)
_FLAG_TAGS = {
    PersonTag.Kind.ORPHAN: "is_orphan",
    PersonTag.Kind.UNSUPPORTED_CHILD: "is_unsupported_child",
    PersonTag.Kind.DISTRESSED_CHILD: "is_distressed_child",
    PersonTag.Kind.LEFT_BEHIND_CHILD: "is_left_behind_child",
    PersonTag.Kind.LIVING_ALONE_ELDER: "is_living_alone_elder",
    PersonTag.Kind.EMPTY_NEST_ELDER: "is_empty_nest_elder",
}
_GRADE = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
_LEVEL = {"能力完好": 0, "轻度": 1, "中度": 2, "重度": 3, "完全": 4}
# Columns the verification engine's persons table gives, by the engine-input column they fill.
VERIFICATION_COLUMNS = (
    "income_wage_fen",
    "income_pension_fen",
    "income_unemployment_fen",
    "income_other_fen",
    "deposits_fen",
    "securities_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "real_estate_area_m2",
    "enterprise_capital_fen",
    "died_on",
    "public_payroll",
    "prison",
    "student",
)
POINT_LOOKUP_MEMBERS = 50  # up to this many members: DuckDB point lookups, else one scan per feed
MEMBER_SCHEMA = pa.schema(
    [
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("household_no", pa.string()),
        ("division_code", pa.string()),
        ("birth_date", pa.date32()),
    ]
)


@dataclass
class EngineInputs:
    persons: pl.DataFrame  # engine persons columns + id_number, name, household_no (for display)
    households: pl.DataFrame
    verified: set[str]  # household ids whose verification data were available
    gaps: dict[str, str] = field(default_factory=dict)  # engine column → the feed with no data for the date


def registry_persons(person_rows: Iterable[Person] | Any) -> pl.DataFrame:
    """Persons (a queryset or list) → one row each with the registry's columns and tag flags."""
    rows = list(
        person_rows.values_list(
            "pk",
            "household_id",
            "division_code",
            "birth_date",
            "sex",
            "relation",
            "id_number",
            "name",
            "household__household_no",
        )
    )
    ids = [r[0] for r in rows]
    tags: dict[int, list[tuple[str, str, str]]] = {}
    for chunk_start in range(0, len(ids), 5000):  # stay below SQLite's bound-parameter limit
        chunk = ids[chunk_start : chunk_start + 5000]
        for pid, kind, category, grade in PersonTag.objects.filter(person_id__in=chunk).values_list(
            "person_id", "kind", "category", "grade"
        ):
            tags.setdefault(pid, []).append((kind, category, grade))
    enrolled = live_programmes(rows)
    records = [_person_record(r, tags.get(r[0], []), enrolled.get(r[0], set())) for r in rows]
    return (
        pl.DataFrame(records, schema=_PERSON_SCHEMA, orient="row") if records else pl.DataFrame(schema=_PERSON_SCHEMA)
    )


def live_programmes(rows: list[tuple[Any, ...]]) -> dict[int, set[str]]:
    """person id → programmes of their live entitlements (own, or their household's): the `enrolled` source."""
    from minzheng.payments.models import Entitlement, Status

    out: dict[int, set[str]] = {}
    by_household: dict[int, set[str]] = {}
    live = Entitlement.objects.exclude(status=Status.ENDED)
    for start in range(0, len(rows), 5000):  # stay below SQLite's bound-parameter limit
        chunk = rows[start : start + 5000]
        for pid, prog in live.filter(person_id__in=[r[0] for r in chunk]).values_list("person_id", "programme"):
            out.setdefault(pid, set()).add(prog)
        households = {r[1] for r in chunk}
        for hid, prog in live.filter(household_id__in=households).values_list("household_id", "programme"):
            by_household.setdefault(hid, set()).add(prog)
    for row in rows:
        if row[1] in by_household:
            out.setdefault(row[0], set()).update(by_household[row[1]])
    return out


_PERSON_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "household_id": pl.String(),
    "region_code": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "relation": pl.String(),
    "id_number": pl.String(),
    "name": pl.String(),
    "household_no": pl.String(),
    "disability_category": pl.String(),
    "disability_grade": pl.Int8(),
    "incapacity_level": pl.Int8(),
    **{column: pl.Boolean() for column in _FLAG_TAGS.values()},
    "no_legal_supporter": pl.Boolean(),
    "enrolled": pl.List(pl.String()),
}


def _person_record(row: tuple[Any, ...], tags: list[tuple[str, str, str]], live: set[str]) -> tuple[Any, ...]:
    pk, household_id, division, birth, sex, relation, id_number, name, household_no = row
    kinds = {kind: (category, grade) for kind, category, grade in tags}
    disability = kinds.get(PersonTag.Kind.DISABILITY, ("", ""))
    incapacity = kinds.get(PersonTag.Kind.INCAPACITY, ("", ""))
    # 无法定义务人 is recorded in the registry only as part of a 特困/孤儿 determination; for anyone
    # else it is unknown until a caseworker establishes it (never assumed either way).
    no_supporter = True if PersonTag.Kind.TEKUN in kinds or PersonTag.Kind.ORPHAN in kinds else None
    # Benefit tags are a projection of entitlements (payments.tags): the entitlements themselves count.
    enrolled = sorted(live | {TAG_POLICIES[k] for k in kinds if k in TAG_POLICIES and k not in _ENTITLEMENT_TAGS})
    return (
        str(pk),
        str(household_id),
        division,
        birth,
        sex,
        relation,
        id_number,
        name,
        household_no,
        disability[0],
        _GRADE.get(disability[1], 0),
        _LEVEL.get(incapacity[1].removesuffix("失能"), 0),
        *(kind in kinds for kind in _FLAG_TAGS),
        no_supporter,
        enrolled,
    )


def households_frame(persons: pl.DataFrame) -> pl.DataFrame:
    """One row per household: its region and the union of its members' enrolments."""
    return (
        persons.group_by("household_id", maintain_order=True)
        .agg(
            region_code=pl.col("region_code").first(),
            enrolled=pl.col("enrolled").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
        )
        .sort("household_id")
    )


def members_table(persons: pl.DataFrame) -> pa.Table:
    """The verification engine's members table for these persons."""
    return (
        persons.select("id_number", "name", "household_no", pl.col("region_code").alias("division_code"), "birth_date")
        .to_arrow()
        .cast(MEMBER_SCHEMA)
    )


# ------------------------------------------------------------------ the verification seam


def feed_store_root() -> Path:
    return Path(settings.FEEDS_DIR) / "store"  # verification.batchrun.store_root()


def verification_persons(members: pa.Table, as_of: dt.date) -> pl.DataFrame | None:
    """id_number + VERIFICATION_COLUMNS for these members on `as_of`, or None with no feed delivered.

    The seam to issue 3: stored batch results for the date first, else the verification engine now
    (with the confirmed non-number matches), reading only these members' rows of each snapshot.
    """
    stored = _stored_batch_persons(members, as_of)
    if stored is not None:
        return stored
    root = feed_store_root()
    if not root.is_dir() or members.num_rows == 0:
        return None
    result = _verify(root, members, as_of)
    if result is None:
        return None
    persons = pl.from_arrow(result.persons)
    assert isinstance(persons, pl.DataFrame)
    persons = persons.select("id_number", *[c for c in VERIFICATION_COLUMNS if c in persons.columns])
    return persons.with_columns(pl.col("id_number").is_in(_income_ids(result.findings)).alias(INCOME_SEEN))


def _income_ids(findings: pa.Table) -> list[str]:
    """Identity numbers some income feed has a row for (a finding cites every row it used)."""
    frame = pl.from_arrow(findings)
    assert isinstance(frame, pl.DataFrame)
    if not frame.height or "feed" not in frame.columns:
        return []
    income = FEED_GROUPS["income"][0]
    return frame.filter(pl.col("feed").is_in(income)).get_column("id_number").drop_nulls().unique().to_list()


def _verify(root: Path, members: pa.Table, as_of: dt.date) -> Any:
    """The verification engine's Result for these members: point lookups for a household, one scan per
    feed for a county (the same two paths `minzheng verify household` and `verify batch` take)."""
    from minzheng.verification.engine import batch as vbatch
    from minzheng.verification.engine import evaluate as vev
    from minzheng.verification.engine import household as vhousehold
    from minzheng.verification.engine.store import FeedStore

    links = _links(as_of, members)
    if members.num_rows <= POINT_LOOKUP_MEMBERS:
        store = FeedStore(root)
        if not store.feed_ids():
            return None
        return vhousehold.verify(store, members, as_of, digest_key=_digest_key(), links=links)
    spec = vbatch.spec_for(root, as_of, digest_key=_digest_key())
    if not spec.snapshots:
        return None
    keyed = vbatch.with_member_digests(members, spec.digest_key)
    feeds = vbatch.read_partition_feeds(keyed, spec, links)
    return vev.evaluate(keyed, feeds, as_of, links)


def _links(as_of: dt.date, members: pa.Table) -> pa.Table | None:
    """Confirmed non-number matches (review queue) naming these members, or None."""
    import pyarrow.compute as pc

    from minzheng.verification.selectors import confirmed_links

    links = confirmed_links(as_of=as_of)
    if links.num_rows:
        links = links.filter(pc.is_in(links["id_number"], value_set=members["id_number"]))
    return links if links.num_rows else None


def _digest_key() -> bytes | None:
    from minzheng.verification.batchrun import digest_key

    return digest_key()


def _stored_batch_persons(members: pa.Table, as_of: dt.date) -> pl.DataFrame | None:
    """The verification app's stored batch results of exactly this date for every member, or None."""
    try:
        from minzheng.verification.models import BatchHouseholdResult, BatchRun
    except ImportError:
        return None
    household_nos = sorted(set(members.column("household_no").to_pylist()))
    runs = BatchRun.objects.filter(as_of=as_of, status=BatchRun.Status.DONE).order_by("-finished_at")
    run = runs.first()
    if run is None or not household_nos:
        return None
    # A household's current result is its latest stored row up to this run (unchanged ones are not re-stored).
    rows = (
        BatchHouseholdResult.objects.filter(run__as_of=as_of, run__status=BatchRun.Status.DONE)
        .filter(household__household_no__in=household_nos[:5000])
        .order_by("household_id", "-run__finished_at")
        .values_list("household__household_no", "persons")
    )
    latest: dict[str, list[dict[str, Any]]] = {}
    for household_no, persons in rows:
        latest.setdefault(household_no, persons if isinstance(persons, list) else json.loads(persons))
    if set(latest) != set(household_nos):
        return None
    records = [p for persons in latest.values() for p in persons]
    frame = pl.DataFrame(records, infer_schema_length=None)
    if "id_number" not in frame.columns:
        return None
    keep = [c for c in VERIFICATION_COLUMNS if c in frame.columns]
    frame = frame.select("id_number", *keep)
    if "died_on" in frame.columns:
        frame = frame.with_columns(pl.col("died_on").cast(pl.String).str.to_date(strict=False))
    return frame


def engine_inputs(person_rows: Any, as_of: dt.date, *, verify: bool = True) -> EngineInputs:
    """Registry persons (queryset) → the engine's persons and households tables on `as_of`.

    Unknown is not zero: a value no source gives is null (the engine leaves what reads it
    undecided). See `FEED_GROUPS` for which feed fills which column and when its absence counts.
    """
    persons = registry_persons(person_rows)
    verified: set[str] = set()
    gaps: dict[str, str] = {}
    if verify and persons.height:
        found = verification_persons(members_table(persons), as_of)
        if found is not None:
            persons = persons.join(found, on="id_number", how="left")
            verified = set(persons.filter(pl.col("id_number").is_in(found["id_number"].implode()))["household_id"])
        persons, gaps = apply_feed_coverage(persons, as_of, feed_coverage(as_of))
    persons = funeral_columns(persons)
    persons = persons.with_columns(pl.lit(None, dtype=FIELDS_BY_COLUMN[c].dtype).alias(c) for c in UNFILLED_PERSON)
    households = households_frame(persons).with_columns(
        pl.lit(None, dtype=FIELDS_BY_COLUMN[c].dtype).alias(c) for c in UNFILLED_HOUSEHOLD
    )
    households = apply_household_facts(households, as_of)
    return EngineInputs(persons=persons, households=households, verified=verified, gaps=gaps)


# ------------------------------------------------------------------ what is known, what is not

# Engine inputs no source of this installation fills: a caseworker establishes them in a case.
UNFILLED_PERSON = ("guardian_missing", "medical_self_pay_fen", "rigid_expense_fen", "meal_days")
# Filled by institutions.subsidy from its residents only; unknown for everyone else.
UNFILLED_PERSON += ("care_home_days", "month_days", "care_home_kind")
UNFILLED_HOUSEHOLD = ("emergency_event", "emergency_loss_fen")

# Department feeds by the engine columns they fill. A group whose feeds this installation has
# never received does not block (its columns take the known default: none found). A received feed
# with no snapshot on or before the as-of date makes its columns unknown for everybody. Income is
# positive evidence: a person that no income feed mentions has an unknown income, not zero.
FEED_GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "income": (
        ("social_insurance", "pension", "unemployment", "tax", "housing_fund"),
        ("income_wage_fen", "income_pension_fen", "income_unemployment_fen", "income_other_fen"),
    ),
    "deposit": (("deposit",), ("deposits_fen",)),
    "securities": (("securities",), ("securities_fen",)),
    "vehicle": (("vehicle",), ("vehicle_count", "vehicle_value_fen")),
    "real_estate": (("real_estate",), ("real_estate_count", "real_estate_area_m2")),
    "enterprise": (("enterprise",), ("enterprise_capital_fen",)),
    "public_payroll": (("public_payroll",), ("public_payroll",)),
    "prison": (("prison",), ("prison",)),
    "student": (("student",), ("student",)),
}
INCOME_SEEN = "__income_seen"  # the person appears in at least one income feed


@dataclass(frozen=True)
class Coverage:
    received: frozenset[str]  # feed ids this installation has ever received
    stale: dict[str, str]  # received feed id → its title, when it has no snapshot ≤ as-of


def feed_coverage(as_of: dt.date) -> Coverage:
    from minzheng.verification.engine.catalogue import FEEDS
    from minzheng.verification.engine.store import FeedStore

    store = FeedStore(feed_store_root())
    received = frozenset(store.feed_ids())
    stale = {f: FEEDS[f].title if f in FEEDS else f for f in received if store.latest(f, as_of) is None}
    return Coverage(received, stale)


def apply_feed_coverage(
    persons: pl.DataFrame, as_of: dt.date, coverage: Coverage
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Per feed group: known default, unknown for all (stale feed), or — income — unknown per person."""
    exprs: list[pl.Expr] = []
    gaps: dict[str, str] = {}
    for group, (feeds, columns) in FEED_GROUPS.items():
        received = [f for f in feeds if f in coverage.received]
        stale = [coverage.stale[f] for f in received if f in coverage.stale]
        for column in columns:
            field = FIELDS_BY_COLUMN[column]
            current = pl.col(column) if column in persons.columns else pl.lit(None, dtype=field.dtype)
            if stale:
                gaps[column] = f"{'、'.join(stale)}（{as_of.isoformat()} 及以前无数据）"
                exprs.append(pl.lit(None, dtype=field.dtype).alias(column))
            elif group == "income" and received:
                seen = pl.col(INCOME_SEEN) if INCOME_SEEN in persons.columns else _income_positive(persons)
                exprs.append(pl.when(seen.fill_null(False)).then(current.fill_null(field.default)).alias(column))
            else:
                exprs.append(current.fill_null(field.default).cast(field.dtype).alias(column))
    out = persons.with_columns(exprs)
    return (out.drop(INCOME_SEEN) if INCOME_SEEN in out.columns else out), gaps


def _income_positive(persons: pl.DataFrame) -> pl.Expr:
    """Without the findings (stored batch results): an income above zero shows the person was found."""
    columns = [c for c in FEED_GROUPS["income"][1] if c in persons.columns]
    if not columns:
        return pl.lit(False)
    return pl.any_horizontal([pl.col(c).fill_null(0) > 0 for c in columns])


def funeral_columns(persons: pl.DataFrame) -> pl.DataFrame:
    """死亡日期, 火化日期, 安葬方式 from the funeral app's records (cremation, burial): a death the feeds have
    not shown yet is taken from the cremation record; no burial recorded leaves 安葬方式 unknown."""
    from minzheng.funeral.selectors import funeral_facts

    facts = funeral_facts(persons.get_column("person_id").to_list())

    def fact(i: int, dtype: pl.DataType) -> pl.Expr:
        mapping = {k: v[i] for k, v in facts.items()}
        return pl.col("person_id").replace_strict(mapping, default=None, return_dtype=dtype)

    died = pl.col("died_on") if "died_on" in persons.columns else pl.lit(None, dtype=pl.Date())
    return persons.with_columns(
        died.fill_null(fact(0, pl.Date())).alias("died_on"),
        fact(1, pl.Date()).alias("cremated_on"),
        fact(2, pl.String()).alias("burial_type"),
    )


# ------------------------------------------------------------------ facts other apps record

# An app that records a household fact the engine reads (disaster: a relief claim's house damage)
# registers a provider from its AppConfig.ready(): (household pks, as-of) → {pk: {column: value}}.
# A household the provider does not name takes the column's default: the app holds the record, so
# no record is a known "none", not an unknown.
HouseholdFacts = Callable[[list[int], dt.date], dict[int, dict[str, Any]]]
HOUSEHOLD_FACTS: dict[str, tuple[tuple[str, ...], HouseholdFacts]] = {}


def register_household_facts(name: str, columns: tuple[str, ...], provider: HouseholdFacts) -> None:
    HOUSEHOLD_FACTS[name] = (columns, provider)


def household_facts(household_pks: list[int], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """Every registered provider's facts for these households (the rules cache fingerprints them too)."""
    out: dict[int, dict[str, Any]] = {}
    for _, provider in HOUSEHOLD_FACTS.values():
        for pk, values in provider(household_pks, as_of).items():
            out.setdefault(pk, {}).update(values)
    return out


def apply_household_facts(households: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    if not HOUSEHOLD_FACTS or not households.height:
        return households
    pks = [int(h) for h in households["household_id"].to_list()]
    facts = household_facts(pks, as_of)
    columns = [c for cols, _ in HOUSEHOLD_FACTS.values() for c in cols]
    return households.with_columns(
        pl.Series(c, [facts.get(pk, {}).get(c, FIELDS_BY_COLUMN[c].default) for pk in pks], FIELDS_BY_COLUMN[c].dtype)
        for c in columns
    )
