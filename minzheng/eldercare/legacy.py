"""MZ/T 039-2013 (legacy records): the four domain grades → initial level, by explicit lookup table.

The table (data/mzt039_levels.csv, 256 rows) was enumerated once from the literal rule text; rows
no rule covers have no level and go to manual review, overlaps take the more severe level.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "mzt039_levels.csv"
DOMAINS = ("日常生活活动", "精神状态", "感知觉与沟通", "社会参与")


@dataclass(frozen=True)
class LegacyLevel:
    level: int | None  # None = manual review
    note: str

    @property
    def needs_review(self) -> bool:
        return self.level is None


@cache
def table() -> dict[tuple[int, int, int, int], LegacyLevel]:
    with TABLE.open(encoding="utf-8") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows)
        return {
            (int(a), int(m), int(s), int(p)): LegacyLevel(int(level) if level else None, note)
            for a, m, s, p, level, note in rows
        }


def mzt039_level(adl: int, mental: int, sensory: int, social: int) -> LegacyLevel:
    """Grades are 0–3 each (MZ/T 039-2013 附录B); anything else is refused with the domain named."""
    grades = (adl, mental, sensory, social)
    bad = [f"{name}分级 {g}" for name, g in zip(DOMAINS, grades, strict=True) if g not in (0, 1, 2, 3)]
    if bad:
        raise ValueError("MZ/T 039-2013 分级应为 0–3：" + "、".join(bad))
    return table()[grades]
