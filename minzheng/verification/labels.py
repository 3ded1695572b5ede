"""What the verification pages call things: feeds by their catalogue names, match weights in plain words.

Feed ids (`cremation`) and Splink's log2 likelihood ratio are the engine's vocabulary; a caseworker
reads 民政 殡葬（遗体火化） and 匹配把握度 较高. The CLI and the audit data keep the ids and weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def feed_name(feed_id: str) -> str:
    """The catalogue's Chinese name of a feed (department and title); the id only for an unknown feed."""
    from minzheng.verification.engine.catalogue import FEEDS

    feed = FEEDS.get(feed_id)
    return f"{feed.department} {feed.title}" if feed else feed_id


@dataclass(frozen=True)
class Confidence:
    """One step of the 匹配把握度 scale: candidates whose weight is at least `min_weight`."""

    key: str
    label: str
    meaning: str
    min_weight: float

    @property
    def at_least(self) -> str:
        """The probability the step starts at, as a reviewer reads it (weight w ↔ 2^w : 1 odds)."""
        if math.isinf(self.min_weight):
            return "0%"
        return f"{100 / (1 + 2**-self.min_weight):.1f}%".replace(".0%", "%")


# The weight is log2 of the odds that row and person are the same (prior included): 0 = even odds,
# each +1 doubles them. Steps at 10 (≈ 99.9%), 5 (≈ 97%) and 0 (50%) are where review practice changes:
# at 很高 a caseworker only glances, at 一般 and below they telephone or visit.
LEVELS = (
    Confidence("very_high", "很高", "几乎可以肯定是同一人", 10.0),
    Confidence("high", "较高", "很可能是同一人", 5.0),
    Confidence("medium", "一般", "可能是同一人，须核实", 0.0),
    Confidence("low", "较低", "多半不是同一人，须核实", -math.inf),
)
BULK_LEVELS = LEVELS[:3]  # bulk confirmation never reaches below even odds


def confidence(weight: float | None) -> Confidence:
    """The step a weight falls in (a number- or digest-anchored link has no weight: 很高)."""
    if weight is None:
        return LEVELS[0]
    return next(level for level in LEVELS if weight >= level.min_weight)


def bulk_level(key: str) -> Confidence | None:
    return next((level for level in BULK_LEVELS if level.key == key), None)


def probability_text(probability: float) -> str:
    """0.99987 → '99.9% 以上'; 0.42 → '42%'."""
    if probability >= 0.999:
        return "99.9% 以上"
    if probability < 0.01:
        return "不足 1%"
    return f"{probability * 100:.0f}%"
