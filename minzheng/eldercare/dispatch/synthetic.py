"""Seeded synthetic dispatch data for tests and the benchmark: a county-sized box of towns.

Caregivers and visits cluster around town centres (σ ≈ 1.5 km), as homes do around 乡镇 and
村; the box is about 鄞州区's extent (≈ 40 km × 33 km).
"""

from __future__ import annotations

import datetime as dt
import random

from minzheng.eldercare.dispatch.geo import METRES_PER_DEGREE
from minzheng.eldercare.dispatch.types import Caregiver, Order, Visit

BOX = (29.62, 29.92, 121.42, 121.82)  # south, north, west, east
NURSE = "护士"  # the qualification that clinical items (注射, 换药, 导尿 ...) need
CARE = "养老护理员"


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets


def _towns(rnd: random.Random, n: int) -> list[tuple[float, float]]:
    south, north, west, east = BOX
    return [(rnd.uniform(south, north), rnd.uniform(west, east)) for _ in range(n)]


def _near(rnd: random.Random, town: tuple[float, float], sigma_m: float = 1500.0) -> tuple[float, float]:
    s = sigma_m / METRES_PER_DEGREE
    return town[0] + rnd.gauss(0, s), town[1] + rnd.gauss(0, s)


def caregivers(n: int, *, seed: int, towns: int = 12, nurse_share: float = 0.3) -> list[Caregiver]:
    rnd = _rng(seed)
    centres = _towns(rnd, towns)
    out = []
    for k in range(n):
        lat, lng = _near(rnd, centres[k % towns])
        # Every town has at least one nurse (the first caregiver hired there), as a county needs.
        nurse = k < towns or rnd.random() < nurse_share
        quals = frozenset({CARE, NURSE} if nurse else {CARE})
        start = rnd.choice([dt.time(7, 30), dt.time(8, 0), dt.time(8, 0), dt.time(8, 30)])
        end = dt.time(start.hour + 10, start.minute)  # a 10-hour day with breaks between visits
        out.append(Caregiver(f"C{k:04d}", lat, lng, quals, start, end, name=f"护理员{k:04d}", area=f"T{k % towns:02d}"))
    return out


def visits(n: int, *, seed: int, towns: int = 12, nurse_share: float = 0.2) -> list[Visit]:
    """Visits with a three-hour window opening on a 15-minute grid between 08:00 and 15:00.

    Visits are spread over the towns as caregivers are (round robin), as a county hires
    caregivers where its elders live.
    """
    rnd = _rng(seed)
    centres = _towns(rnd, towns)  # same seed, same towns as caregivers()
    rnd = _rng(seed * 7919 + 1)
    out = []
    for k in range(n):
        lat, lng = _near(rnd, centres[k % towns])
        start = 8 * 60 + 15 * rnd.randrange(0, 29)
        service = rnd.choice([30, 30, 45, 60])
        qual = NURSE if rnd.random() < nurse_share else CARE
        out.append(
            Visit(f"V{k:05d}", lat, lng, dt.time(start // 60, start % 60), dt.time((start + 180) // 60, start % 60),
                  service, qual, label=f"上门服务{k:05d}", area=f"T{k % towns:02d}")
        )  # fmt: skip
    return out


def orders(n: int, *, seed: int, day: dt.date, towns: int = 12, nurse_share: float = 0.2) -> list[Order]:
    """Instant orders spread over a working day (08:00–16:00 starts), 30–60 minutes each."""
    rnd = _rng(seed)
    centres = _towns(rnd, towns)
    rnd = _rng(seed * 104729 + 3)
    base = dt.datetime.combine(day, dt.time(8, 0))
    out = []
    for k in range(n):
        lat, lng = _near(rnd, centres[rnd.randrange(towns)])
        start = base + dt.timedelta(minutes=5 * rnd.randrange(0, 96))
        qual = NURSE if rnd.random() < nurse_share else CARE
        out.append(Order(f"O{k:05d}", lat, lng, qual, start, rnd.choice([30, 45, 60])))
    return out
