"""The programmes paid through the payroll, declared as data (data/programmes.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROGRAMMES_FILE = Path(__file__).with_name("data") / "programmes.yaml"


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    subject: str  # "household" | "person"
    legal_basis: str
    start_param: str
    case_type: str = ""
    policy: str = ""
    tag: str = ""  # the registry benefit tag this programme's live entitlements show
    pays_guardian: bool = False
    auto: dict[str, Any] = field(default_factory=dict)
    recheck_months: dict[str, Any] = field(default_factory=dict)
    recheck_months_can_work: dict[str, Any] = field(default_factory=dict)

    @property
    def per_household(self) -> bool:
        return self.subject == "household"


@cache
def programmes() -> dict[str, Programme]:
    rows = yaml.safe_load(PROGRAMMES_FILE.read_text(encoding="utf-8"))
    return {row["id"]: Programme(**row) for row in rows}


def programme(programme_id: str) -> Programme:
    try:
        return programmes()[programme_id]
    except KeyError:
        raise ValueError(f"没有发放项目“{programme_id}”") from None


def for_case_type(case_type: str) -> Programme | None:
    return next((p for p in programmes().values() if p.case_type == case_type), None)


def by_tag() -> dict[str, str]:
    """Registry tag kind → programme id (the tags derived from live entitlements)."""
    return {p.tag: p.id for p in programmes().values() if p.tag}
