"""The household panel's result, cached per (household, as-of) under a fingerprint of every input.

The panel is the busiest page of a town office and its result is a pure function of: the
members' registry rows and tags, the verification data for the date (stored batch results,
confirmed non-number matches, the feed store's snapshots), the parameter table, the catalogue
and the division names its explanations quote. The fingerprint reads all of these cheaply (a
few indexed queries and a directory listing, no engine) and is part of the cache key, so any
change makes a new key: a stale answer cannot be served, and old entries simply age out.

The fingerprint is taken *before* the result is computed: an input changing during the
computation can only leave a newer result under the older key, never an older result under
the newer one. Django's cache framework (locmem, per process, unless settings say otherwise).
"""
# ruff: noqa: S608 - `_counters` builds SQL from the models' table and column names only, values are parameters

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import connection

TIMEOUT_S = 600  # bounds memory only: correctness comes from the key
PREFIXES = (2, 4, 6, 9, 12)  # the division levels a parameter row or an explanation can name


def household_key(household: Any, as_of: dt.date) -> str:
    return f"rules:panel:{household.pk}:{as_of.isoformat()}:{fingerprint(household, as_of)}"


def cached(household: Any, as_of: dt.date, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached result for these inputs, else `compute()` stored under them (a copy each time)."""
    return single_flight(household_key(household, as_of), compute)


_flights: dict[str, threading.Lock] = {}
_flights_guard = threading.Lock()


def single_flight(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`cache[key]`, else one `compute()` per key in this process however many requests ask at once.

    Several clients opening the same household (a town office's list, a refresh storm) used to
    compute it once each, all at the same time, on an interpreter that runs one at a time
    (issue 16): the others now wait for the first and read its result.
    """
    found = cache.get(key)
    if found is not None:
        return found  # locmem and every other backend pickle: the caller gets its own copy
    with _flights_guard:
        lock = _flights.setdefault(key, threading.Lock())
    try:
        with lock:
            found = cache.get(key)  # computed by the request this one waited for
            if found is not None:
                return found
            result = compute()
            cache.set(key, result, TIMEOUT_S)
            return result
    finally:
        with _flights_guard:
            if _flights.get(key) is lock and not lock.locked():
                del _flights[key]


def fingerprint(household: Any, as_of: dt.date) -> str:
    persons, tags, names = _registry(household)
    parts = [
        catalogue_digest(),
        persons,
        tags,
        names,
        _counters(household, as_of),
        _feeds(as_of),
        _household_facts(household, as_of),
        _funeral([p[0] for p in persons]),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@once
def catalogue_digest() -> str:
    """The shipped policy files (loaded once per process, like the catalogue itself)."""
    from minzheng.rules.engine.catalogue import DEFAULT_DIR

    digest = hashlib.sha256()
    for path in sorted(Path(DEFAULT_DIR).glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@once
def _q(model: Any, field: str | None = None) -> str:
    """A model's quoted table name, or one of its quoted column names (no user text in the SQL).

    Kept per process: the funeral and division statements are composed per request (their
    number of members varies), and ten look-ups per request of the busiest page add up.
    """
    q = connection.ops.quote_name
    return str(q(model._meta.db_table if field is None else model._meta.get_field(field).column))


@once
def _registry_sql() -> tuple[str, str]:
    """The members' rows (with the 户编号) and their tags: raw SQL, the same columns as the ORM read.

    The ORM spent longer composing these two queries than SQLite answering them, on every
    request of the busiest page (issue 16); built once per process from the models' names.
    """
    from minzheng.registry.models import Household, Person, PersonTag

    fields = ("id", "division_code", "birth_date", "sex", "relation", "id_number", "name")
    cols = ", ".join(f"p.{_q(Person, f)}" for f in fields)
    persons = (
        f"SELECT {cols}, h.{_q(Household, 'household_no')}, p.{_q(Person, 'updated_at')}"
        f" FROM {_q(Person)} p JOIN {_q(Household)} h ON h.{_q(Household, 'id')} = p.{_q(Person, 'household')}"
        f" WHERE p.{_q(Person, 'household')} = %s ORDER BY p.{_q(Person, 'id')}"
    )
    tag_cols = ", ".join(f"t.{_q(PersonTag, f)}" for f in ("id", "person", "kind", "category", "grade"))
    tags = (
        f"SELECT {tag_cols} FROM {_q(PersonTag)} t"
        f" JOIN {_q(Person)} p ON p.{_q(Person, 'id')} = t.{_q(PersonTag, 'person')}"
        f" WHERE p.{_q(Person, 'household')} = %s ORDER BY t.{_q(PersonTag, 'person')}, t.{_q(PersonTag, 'kind')}"
    )
    return persons, tags


def _registry(household: Any) -> tuple[Any, ...]:
    """The members' rows and tags themselves (a handful of rows), so even a bulk update counts."""
    from minzheng.divisions.models import Division

    persons_sql, tags_sql = _registry_sql()
    with connection.cursor() as cursor:
        cursor.execute(persons_sql, [household.pk])
        persons = [tuple(r) for r in cursor.fetchall()]
        cursor.execute(tags_sql, [household.pk])
        tags = [tuple(r) for r in cursor.fetchall()]
        codes = sorted({p[1][:n].ljust(12, "0") for p in persons for n in PREFIXES})
        names: list[tuple[Any, ...]] = []
        if codes:
            marks = ", ".join(["%s"] * len(codes))
            code, name = _q(Division, "code"), _q(Division, "name")
            sql = f"SELECT {code}, {name} FROM {_q(Division)} WHERE {code} IN ({marks}) ORDER BY {code}"
            cursor.execute(sql, codes)
            names = [tuple(r) for r in cursor.fetchall()]
    return persons, tags, names


@once
def _counters_sql() -> str:
    """The counters' statement, composed once per process (it names tables and columns only)."""
    from minzheng.rules.models import Parameter, ParameterChange
    from minzheng.verification.models import BatchHouseholdResult, BatchRun, MatchCandidate, VerificationReport

    q = connection.ops.quote_name

    def table(model: Any) -> str:
        return str(q(model._meta.db_table))

    def col(model: Any, field: str) -> str:
        return str(q(model._meta.get_field(field).column))

    run, res, rep = table(BatchRun), table(BatchHouseholdResult), table(VerificationReport)
    match, param, change = table(MatchCandidate), table(Parameter), table(ParameterChange)
    run_pk, run_as_of = col(BatchRun, "id"), col(BatchRun, "as_of")
    res_run, res_house = col(BatchHouseholdResult, "run"), col(BatchHouseholdResult, "household")
    in_runs = f"FROM {run} WHERE {run_as_of} = %s"
    in_results = (
        f"FROM {res} WHERE {res_house} = %s AND {res_run} IN (SELECT {run_pk} FROM {run} WHERE {run_as_of} = %s)"
    )
    in_reports = f"FROM {rep} WHERE {col(VerificationReport, 'household')} = %s"
    in_matches = f"FROM {match} WHERE {col(MatchCandidate, 'as_of')} <= %s"
    res_pk, rep_pk = col(BatchHouseholdResult, "id"), col(VerificationReport, "id")
    match_pk, param_pk, change_pk = col(MatchCandidate, "id"), col(Parameter, "id"), col(ParameterChange, "id")
    return "SELECT " + ", ".join(
        [
            f"(SELECT COUNT(*) {in_runs})",
            f"(SELECT MAX({run_pk}) {in_runs})",
            f"(SELECT MAX({col(BatchRun, 'finished_at')}) {in_runs})",
            f"(SELECT COUNT(*) {in_results})",
            f"(SELECT MAX({res_pk}) {in_results})",
            f"(SELECT COUNT(*) {in_reports})",
            f"(SELECT MAX({rep_pk}) {in_reports})",
            f"(SELECT COUNT(*) {in_matches})",
            f"(SELECT MAX({match_pk}) {in_matches})",
            f"(SELECT MAX({col(MatchCandidate, 'updated_at')}) {in_matches})",
            f"(SELECT COUNT(*) FROM {param})",
            f"(SELECT MAX({param_pk}) FROM {param})",
            f"(SELECT MAX({col(Parameter, 'recorded_at')}) FROM {param})",
            f"(SELECT MAX({change_pk}) FROM {change})",
            f"(SELECT MAX({col(ParameterChange, 'decided_at')}) FROM {change})",
        ]
    )


def _counters(household: Any, as_of: dt.date) -> tuple[Any, ...]:
    """Verification and parameter counters in one statement (they were six queries: issue 16).

    - batch runs of the date (count, last id, last finish); the household's stored batch results
      for the date and its 核对报告 (count, last id);
    - confirmed matches up to the date (count, last id, last update): not scoped to the household
      in the engine's seam either, so any review counts;
    - parameters: approval writes `Parameter` through save() (recorded_at is auto_now), a delete
      lowers the count; parameter changes (last id, last decision time).
    """
    sql = _counters_sql()
    pk = household.pk
    args = [as_of, as_of, as_of, pk, as_of, pk, as_of, pk, pk, as_of, as_of, as_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        row = cursor.fetchone()
    return tuple(row)


def _feeds(as_of: dt.date) -> tuple[Any, ...]:
    """Per feed: its snapshot dates up to as-of and the newest two manifests' (size, mtime)."""
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.batchrun import digest_key
    from minzheng.verification.engine.store import MANIFEST, FeedStore

    store = FeedStore(feed_store_root())
    key = digest_key()
    out: list[Any] = [str(store.root), hashlib.sha256(key).hexdigest() if key else None]
    for feed in store.feed_ids():
        days = [d for d in store.dates(feed) if d <= as_of]
        stats = []
        for day in days[-2:]:
            manifest = store.root / feed / day.isoformat() / MANIFEST
            st = manifest.stat() if manifest.exists() else None
            stats.append((st.st_size, st.st_mtime_ns) if st else None)
        out.append((feed, tuple(days), tuple(stats)))
    return tuple(out)


def _household_facts(household: Any, as_of: dt.date) -> Any:
    """Facts other apps record for the household (rules.inputs_db.register_household_facts)."""
    from minzheng.rules.inputs_db import household_facts

    return sorted(household_facts([household.pk], as_of).get(household.pk, {}).items())


def _funeral(person_pks: list[int]) -> Any:
    """The members' cremation and burial rows (死亡日期, 火化日期, 安葬方式: rules.inputs_db.funeral_columns).

    Read raw (as `funeral.selectors.funeral_facts` reads them through the ORM), both tables in one
    statement: the columns the engine takes from them and nothing else.
    """
    if not person_pks:
        return []
    from minzheng.funeral.models import Burial, Cremation

    marks = ", ".join(["%s"] * len(person_pks))
    c_person, b_person = _q(Cremation, "person"), _q(Burial, "person")
    sql = (
        f"SELECT 'c', {c_person}, {_q(Cremation, 'died_on')}, {_q(Cremation, 'cremated_on')}, NULL"
        f" FROM {_q(Cremation)} WHERE {c_person} IN ({marks})"
        f" UNION ALL SELECT 'b', {b_person}, NULL, NULL, {_q(Burial, 'burial_type')}"
        f" FROM {_q(Burial)} WHERE {b_person} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*person_pks, *person_pks])
        return sorted(tuple(r) for r in cursor.fetchall())
