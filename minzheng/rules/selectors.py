"""政策目录与资格判定: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.rules.models import Parameter, ParameterChange
from minzheng.rules.params_db import DbParamSource, OverlayParamSource, ParamValue, region_chain, resolve


def param_resolve(key: str, region_code: str, as_of: dt.date) -> ParamValue | None:
    """The value of `key` in force on `as_of` for `region_code` (village → … → national), or None.

    Parameters are public law, not personal data: no jurisdiction applies to reading them.
    """
    return resolve(key, region_code, as_of)


def param_source() -> DbParamSource:
    """A fresh ParamSource over the database for one evaluation (caches each key it reads)."""
    return DbParamSource()


def param_overlay(*, key: str, region_code: str, from_date: dt.date, scale: Any) -> OverlayParamSource:
    return OverlayParamSource(DbParamSource(), key=key, region_code=region_code, from_date=from_date, scale=scale)


def param_rows(*, key: str = "", region_code: str = "") -> list[Parameter]:
    """The admin page's table: every dated value, optionally of one key and of one region's chain."""
    rows = Parameter.objects.select_related("recorded_by", "approved_by").order_by(
        "key", "region_code", "-effective_from"
    )
    if key:
        rows = rows.filter(key=key)
    if region_code:
        rows = rows.filter(region_code__in=region_chain(region_code))
    return list(rows)


def param_keys() -> list[tuple[str, str, str]]:
    """(key, description, unit) of every key with a value, for pickers and the help table."""
    seen: dict[str, tuple[str, str, str]] = {}
    for key, description, unit in Parameter.objects.order_by("key", "-effective_from").values_list(
        "key", "description", "unit"
    ):
        seen.setdefault(key, (key, description, unit))
    return list(seen.values())


def param_changes(*, status: str = "") -> list[ParameterChange]:
    rows = ParameterChange.objects.select_related("proposed_by", "decided_by")
    if status:
        rows = rows.filter(status=status)
    return list(rows[:200])


def param_records(*, key: str = "") -> list[Any]:
    """Every value as ParamRecord, for export."""
    from minzheng.rules.paramfile import ParamRecord

    return [
        ParamRecord(
            key=r.key,
            region_code=r.region_code,
            effective_from=r.effective_from,
            value=r.value,
            value_type=r.value_type,
            unit=r.unit,
            description=r.description,
            reference=r.reference,
        )
        for r in param_rows(key=key)
    ]
