"""Division reads. Divisions are public reference data: no jurisdiction scoping."""

from __future__ import annotations

from collections.abc import Iterable

from minzheng.divisions.models import Division


def division_path(code: str) -> list[Division]:
    """Province → … → this division, for breadcrumbs and full addresses."""
    codes = []
    current: str | None = code
    from minzheng.divisions.codes import parent_of

    while current:
        codes.append(current)
        current = parent_of(current)
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [found[c] for c in reversed(codes) if c in found]


def division_full_name(code: str) -> str:
    return "".join(d.name for d in division_path(code))


def division_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=set(codes)).values_list("code", "name"))


def known_codes(level: int | None = None) -> set[str]:
    qs = Division.objects.all()
    if level is not None:
        qs = qs.filter(level=level)
    return set(qs.values_list("code", flat=True))
