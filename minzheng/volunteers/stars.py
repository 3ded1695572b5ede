"""星级志愿者 from confirmed service hours; the levels and their source are data (data/stars.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.volunteers.models import Attendance, Recognition, Volunteer

DATA = Path(__file__).parent / "data" / "stars.yaml"


@dataclass(frozen=True)
class Level:
    level: int
    hours: int
    label: str


@cache
def levels() -> tuple[tuple[Level, ...], str]:
    raw = yaml.safe_load(DATA.read_text("utf-8"))
    found = tuple(Level(int(r["level"]), int(r["hours"]), str(r["label"])) for r in raw["levels"])
    return tuple(sorted(found, key=lambda lv: lv.hours)), str(raw["source"])


def served_minutes(vol: Volunteer) -> int:
    """Confirmed service minutes (the statutory record; time-bank transfers never count)."""
    rows = Attendance.objects.filter(volunteer=vol, status=Attendance.Status.CONFIRMED)
    return int(rows.aggregate(m=Sum("confirmed_minutes"))["m"] or 0)


def next_level(vol: Volunteer) -> tuple[Level | None, int]:
    """The next level not yet reached and the hours still needed for it."""
    hours = served_minutes(vol) // 60
    for lv in levels()[0]:
        if lv.hours > hours:
            return lv, lv.hours - hours
    return None, 0


def award(vol: Volunteer, *, actor: Actor | None, client_ip: str = "") -> list[Recognition]:
    """Every level now reached and not yet awarded (a level is awarded once: unique per volunteer)."""
    hours = served_minutes(vol) // 60
    have = set(Recognition.objects.filter(volunteer=vol).values_list("level", flat=True))
    made = []
    today = timezone.localdate()
    for lv in levels()[0]:
        if lv.hours > hours or lv.level in have:
            continue
        try:
            with transaction.atomic():
                rec = Recognition.objects.create(
                    volunteer=vol, level=lv.level, hours_at_award=hours, awarded_on=today,
                    certificate_no=f"XJ{today:%Y}{vol.pk:08d}{lv.level}",
                )  # fmt: skip
        except IntegrityError:
            continue  # awarded by a concurrent confirmation
        audit_record(
            actor=actor, action="create", object_type="volunteer", object_id=vol.pk, client_ip=client_ip,
            summary=f"志愿者 {vol.volunteer_no} 累计服务 {hours} 小时，认定为{lv.label}",
        )  # fmt: skip
        made.append(rec)
    return made
