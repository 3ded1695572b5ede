"""Working days from the holiday table: the one place deadlines are counted.

`add_working_days(day, n)` is the date n working days after `day` (`day` itself not
counted, as 《社会救助审核确认办法》 counts “之日起 n 个工作日”); `working_days_between(a, b)`
counts the working days in (a, b], so `working_days_between(a, add_working_days(a, n)) == n`.
Both read an in-memory copy of the table (a few hundred rows), reloaded when the table
changes in this process and at most `_TTL` seconds stale in another.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)
_TTL = 60.0


@dataclass(frozen=True)
class Calendar:
    rest: frozenset[dt.date]
    work: frozenset[dt.date]
    years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.work:
            return True
        if day in self.rest:
            return False
        return day.weekday() < 5

    def settled(self, *days: dt.date) -> bool:
        """True when every year from the earliest to the latest of `days` is in the table."""
        if not days:
            return True
        return all(year in self.years for year in range(min(days).year, max(days).year + 1))


_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None


def calendar() -> Calendar:
    global _cached
    with _lock:
        if _cached is None or time.monotonic() - _cached[0] > _TTL:
            _cached = (time.monotonic(), _load())
        return _cached[1]


def invalidate() -> None:
    """Drop this process's copy; the next call reads the table again."""
    global _cached
    with _lock:
        _cached = None


def _load() -> Calendar:
    from minzheng.workdays.models import CalendarYear, Holiday

    rows = list(Holiday.objects.values_list("day", "kind"))
    return Calendar(
        rest=frozenset(day for day, kind in rows if kind == Holiday.Kind.REST),
        work=frozenset(day for day, kind in rows if kind == Holiday.Kind.WORK),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


def is_working_day(day: dt.date) -> bool:
    return calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after `day` (n ≥ 0; `day` itself not counted)."""
    if n < 0:
        raise ValueError("工作日数不能为负数")
    cal = calendar()
    while n > 0:
        day += ONE_DAY
        if cal.is_working_day(day):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    cal = calendar()
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += cal.is_working_day(day)
    return count


def settled(*days: dt.date) -> bool:
    """Whether a result over these dates rests on settled holidays (else the page says 未核定)."""
    return calendar().settled(*days)
