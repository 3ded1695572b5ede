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

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

TIMEOUT_S = 600  # bounds memory only: correctness comes from the key
PREFIXES = (2, 4, 6, 9, 12)  # the division levels a parameter row or an explanation can name


def household_key(household: Any, as_of: dt.date) -> str:
    return f"rules:panel:{household.pk}:{as_of.isoformat()}:{fingerprint(household, as_of)}"


def cached(household: Any, as_of: dt.date, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached result for these inputs, else `compute()` stored under them (a copy each time)."""
    key = household_key(household, as_of)
    found = cache.get(key)
    if found is not None:
        return found  # locmem and every other backend pickle: the caller gets its own copy
    result = compute()
    cache.set(key, result, TIMEOUT_S)
    return result


def fingerprint(household: Any, as_of: dt.date) -> str:
    parts = [
        catalogue_digest(),
        *_registry(household),
        _verification(household, as_of),
        _parameters(),
        _feeds(as_of),
        _household_facts(household, as_of),
        _funeral(household),
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


def _registry(household: Any) -> tuple[Any, ...]:
    """The members' rows and tags themselves (a handful of rows), so even a bulk update counts."""
    from minzheng.divisions.models import Division
    from minzheng.registry.models import Person, PersonTag

    persons = list(
        Person.objects.filter(household=household)
        .order_by("pk")
        .values_list(
            "pk",
            "division_code",
            "birth_date",
            "sex",
            "relation",
            "id_number",
            "name",
            "household__household_no",
            "updated_at",
        )
    )
    tags = list(
        PersonTag.objects.filter(person__household=household)
        .order_by("person_id", "kind")
        .values_list("pk", "person_id", "kind", "category", "grade")
    )
    codes = {p[1][:n].ljust(12, "0") for p in persons for n in PREFIXES}
    names = sorted(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return persons, tags, names


def _verification(household: Any, as_of: dt.date) -> tuple[Any, ...]:
    from minzheng.verification.models import BatchHouseholdResult, BatchRun, MatchCandidate, VerificationReport

    runs = BatchRun.objects.filter(as_of=as_of).aggregate(n=Count("pk"), last=Max("pk"), done=Max("finished_at"))
    stored = BatchHouseholdResult.objects.filter(household=household, run__as_of=as_of).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    reports = VerificationReport.objects.filter(household=household).aggregate(n=Count("pk"), last=Max("pk"))
    # Confirmed matches are not scoped to the household in the engine's seam either: any review counts.
    matches = MatchCandidate.objects.filter(as_of__lte=as_of).aggregate(
        n=Count("pk"), last=Max("pk"), changed=Max("updated_at")
    )
    return tuple(sorted(d.items()) for d in (runs, stored, reports, matches))


def _parameters() -> tuple[Any, ...]:
    """Approval writes `Parameter` through save() (recorded_at is auto_now); a delete lowers the count."""
    from minzheng.rules.models import Parameter, ParameterChange

    params = Parameter.objects.aggregate(n=Count("pk"), last=Max("pk"), changed=Max("recorded_at"))
    changes = ParameterChange.objects.aggregate(last=Max("pk"), decided=Max("decided_at"))
    return tuple(sorted(params.items())), tuple(sorted(changes.items()))


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


def _funeral(household: Any) -> Any:
    """The members' cremation and burial records (死亡日期, 火化日期, 安葬方式: rules.inputs_db.funeral_columns)."""
    from minzheng.funeral.selectors import funeral_facts
    from minzheng.registry.models import Person

    ids = [str(pk) for pk in Person.objects.filter(household=household).values_list("pk", flat=True)]
    return sorted(funeral_facts(ids).items())
