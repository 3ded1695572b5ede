"""The whole check for one household, as the product runs it (issue 16 item 2: p99 ≤ 50 ms).

A child process of bench/verify_bench.py (`--phase whole`): Django on a fresh SQLite database under
the bench directory, the sampled households registered through the registry's services, and the
bench's feed store (the same snapshots and lookup indexes the one-household timings read) as the
installation's. Each household is then checked through `rules.eligibility.household_result` with
the cache off: the registry's persons read, the department rows fetched through the lookup indexes
and evaluated (一键核对), the rules engine's inputs built from both, and every policy decided with
its explanations, i.e. the computation behind the household page's 可享政策 panel.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import polars as pl
from benchlib import setup_django
from verify_batch import run_child
from verify_gen import AS_OF, DIGEST_KEY

# 与户主关系 for the generated members, in household order: the first is the 户主.
RELATIONS = ("户主", "配偶")


def _setup(root: Path) -> None:
    """Django on its own SQLite database (benchlib.setup_django); the bench's feed store is the installation's."""
    data = root / "whole"
    (data / "feeds").mkdir(parents=True, exist_ok=True)
    store = data / "feeds" / "store"
    if not store.exists():
        store.symlink_to(root / "store", target_is_directory=True)
    os.environ.pop("DATABASE_URL", None)  # the sample is registered afresh: never into the caller's database
    os.environ["MINZHENG_FEED_DIGEST_KEY"] = DIGEST_KEY.decode()  # the key the generated feeds were digested with
    setup_django(argparse.Namespace(keep=data), "whole")


def _divisions(codes: set[str]) -> None:
    """Every village of the sample and the levels above it (generated names: the bench's counties)."""
    from minzheng.divisions import codes as division_codes
    from minzheng.divisions.services import divisions_upsert

    entries: dict[str, str] = {}
    for code in codes:
        while code and code not in entries:
            entries[code] = f"区划{code}"
            code = division_codes.parent_of(code) or ""
    divisions_upsert(entries)


def _register(groups: list[pl.DataFrame]) -> list[Any]:
    """The sampled households and their members, through the registry's services (as a page adds them)."""
    from minzheng.registry.services import household_create, person_create

    _divisions({code for g in groups for code in g["division_code"].to_list()})
    households = []
    for g in groups:
        rows = g.to_dicts()
        first = rows[0]
        household = household_create(
            actor=None, household_no=first["household_no"], division_code=first["division_code"]
        )
        for i, row in enumerate(rows):
            number = row["id_number"]
            relation = RELATIONS[i] if i < len(RELATIONS) else ("子" if int(number[16]) % 2 else "女")
            person_create(actor=None, household=household, name=row["name"], id_number=number, relation=relation)
        households.append(household)
    return households


def run_whole(root: Path, sample: int, seed: int) -> dict[str, Any]:
    """The whole check in a child process (Django is set up there, on its own database)."""
    return run_child(root, "whole", "--sample", str(sample), "--seed", str(seed))


def whole_child(root: Path, groups: list[pl.DataFrame]) -> None:
    """Time the whole check per household (cache off); prints one JSON line with the figures."""
    _setup(root)
    from django.test import override_settings

    from minzheng.rules.engine import DEFAULT_PARAMS as SHIPPED
    from minzheng.rules.services import params_import

    for path in SHIPPED:
        params_import(actor=None, path=path)
    households = _register(groups)
    from minzheng.rules.eligibility import household_result

    off = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    times: list[float] = []
    verified = undecided = decided = 0
    with override_settings(CACHES=off):
        t = time.perf_counter()
        household_result(households[0], AS_OF)  # warm: catalogue, footers, lookup indexes
        warm_s = time.perf_counter() - t
        for household in households:
            t = time.perf_counter()
            result = household_result(household, AS_OF)
            times.append((time.perf_counter() - t) * 1000)
            verified += result["verified"]
            for p in result["policies"]:
                if p["eligible"] is None:
                    undecided += 1
                else:
                    decided += 1
    print(
        json.dumps(
            {
                "times_ms": times,
                "warm_s": warm_s,
                "verified": verified,
                "decided": decided,
                "undecided": undecided,
            }
        )
    )
