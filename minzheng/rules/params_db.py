"""Parameter resolution against the database: village → town → county → city → province → national.

At the most specific level that has any value in force (effective_from ≤ as-of) the latest such value
wins; a more specific region with values only in the future does not hide a broader one in force.
`DbParamSource` serves the engine; `OverlayParamSource` is the what-if (a parameter scaled in one
region from a date) on top of any source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from minzheng.rules.engine.params import ParamMissing, ParamValue, YamlParamSource, region_chain
from minzheng.rules.models import Parameter

__all__ = [
    "DbParamSource",
    "OverlayParamSource",
    "ParamMissing",
    "ParamValue",
    "region_chain",
    "resolve",
    "resolve_or_shipped",
]


class _Stored(NamedTuple):
    """A Parameter row's fields that resolution reads (a model instance costs ~10x more to build)."""

    key: str
    region_code: str
    effective_from: dt.date
    value: str
    value_type: str
    unit: str
    reference: str


def to_value(row: Parameter | _Stored) -> ParamValue:
    return ParamValue(
        key=row.key,
        value=int(row.value) if row.value_type == "integer" else Decimal(row.value),
        unit=row.unit,
        region_code=row.region_code,
        effective_from=row.effective_from,
        reference=row.reference,
    )


def pick(rows: Iterable[Any], region_code: str, as_of: dt.date) -> Any:
    """From one key's rows (Parameter or _Stored), the value in force for this region on this date
    (fallback by level), or None."""
    best: dict[str, Any] = {}
    for row in rows:
        if row.effective_from > as_of:
            continue
        held = best.get(row.region_code)
        if held is None or row.effective_from > held.effective_from:
            best[row.region_code] = row
    for region in region_chain(region_code):
        if region in best:
            return best[region]
    return None


def resolve(key: str, region_code: str, as_of: dt.date) -> ParamValue | None:
    rows = Parameter.objects.filter(
        key=key, region_code__in=region_chain(region_code), effective_from__lte=as_of
    ).order_by()
    row = pick(rows, region_code, as_of)
    return to_value(row) if row else None


@cache
def _shipped() -> YamlParamSource:
    from minzheng.rules.engine import DEFAULT_PARAMS

    return YamlParamSource.from_files(DEFAULT_PARAMS)


def resolve_or_shipped(key: str, region_code: str, as_of: dt.date) -> ParamValue:
    """The value in force in the database (maker-checker), else the shipped files' (each with its source).

    Apps read their procedure numbers (limits, intervals, cut-offs) through this, so a fresh install runs on
    the shipped defaults before `minzheng params import`, never on 0. ParamMissing (a LookupError) if neither.
    """
    return resolve(key, region_code, as_of) or _shipped()(key, region_code, as_of)


class DbParamSource:
    """The engine's ParamSource over the Parameter table.

    Resolution reads one region chain's rows (every key) in one query, once per source: a
    household's check resolves every key of the catalogue for one chain, and one query per key
    (73 of them) was half the time of the whole check (issue 16). `pick` only ever looks at rows
    of the chain, so the rows outside it change nothing.
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[Parameter]] = {}
        self._chains: dict[tuple[str, ...], dict[str, list[_Stored]]] = {}
        self._depth: int | None = None

    def _key_rows(self, key: str) -> list[Parameter]:
        if key not in self._rows:
            self._rows[key] = list(Parameter.objects.filter(key=key).order_by())
        return self._rows[key]

    def _chain_rows(self, region_code: str) -> dict[str, list[_Stored]]:
        chain = tuple(region_chain(region_code))
        found = self._chains.get(chain)
        if found is None:
            found = {}
            rows = Parameter.objects.filter(region_code__in=chain).order_by().values_list(*_Stored._fields)
            for row in rows:
                stored = _Stored(*row)
                found.setdefault(stored.key, []).append(stored)
            self._chains[chain] = found
        return found

    def resolve(self, key: str, region_code: str, as_of: dt.date) -> ParamValue | None:
        row = pick(self._chain_rows(region_code).get(key, ()), region_code, as_of)
        return to_value(row) if row else None

    def __call__(self, key: str, region_code: str, as_of: dt.date) -> ParamValue:
        """The engine's ParamSource protocol: raises ParamMissing when nothing is in force."""
        found = self.resolve(key, region_code, as_of)
        if found is None:
            raise ParamMissing(key, region_code, as_of)
        return found

    def region_depth(self) -> int:
        """The longest stored region code: the engine then resolves once per prefix of that length."""
        if self._depth is None:
            codes = Parameter.objects.values_list("region_code", flat=True).distinct()
            self._depth = max((len(c) for c in codes), default=0)
        return self._depth

    def unit(self, key: str) -> str:
        rows = self._key_rows(key)
        return max(rows, key=lambda r: r.effective_from).unit if rows else ""

    def keys(self) -> list[str]:
        return sorted(set(Parameter.objects.values_list("key", flat=True)))


class OverlayParamSource:
    """What-if: `key` scaled by `scale` for regions under `region_code` on dates from `from_date`."""

    def __init__(self, base: object, *, key: str, region_code: str, from_date: dt.date, scale: Decimal) -> None:
        self.base, self.key, self.region_code = base, key, region_chain(region_code)[0]
        self.from_date, self.scale = from_date, Decimal(scale)

    def _applies(self, key: str, region_code: str, as_of: dt.date) -> bool:
        return key == self.key and as_of >= self.from_date and region_chain(region_code)[0].startswith(self.region_code)

    def resolve(self, key: str, region_code: str, as_of: dt.date) -> ParamValue | None:
        found = self.base.resolve(key, region_code, as_of)  # type: ignore[attr-defined]
        if found is None or not self._applies(key, region_code, as_of):
            return found
        return ParamValue(
            key=found.key,
            value=Decimal(found.value) * self.scale,
            unit=found.unit,
            region_code=found.region_code,
            effective_from=max(found.effective_from, self.from_date),
            reference=f"测算：{found.reference or found.key} × {self.scale}",
        )

    def __call__(self, key: str, region_code: str, as_of: dt.date) -> ParamValue:
        found = self.resolve(key, region_code, as_of)
        if found is None:
            raise ParamMissing(key, region_code, as_of)
        return found

    def unit(self, key: str) -> str:
        return self.base.unit(key)  # type: ignore[attr-defined]

    def region_depth(self) -> int:
        base = self.base.region_depth() if hasattr(self.base, "region_depth") else 12
        return max(base, len(self.region_code))
