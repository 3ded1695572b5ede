"""Dates typed by people: one parser with a sane range, and the working-day helpers.

Every page, API and CLI option that takes a date goes through `parse_day`, so a
mistyped year (0001-01-01, 9999-12-31) is refused with a Chinese message instead of
overflowing date arithmetic deeper down. Working days here come from the
chinese-calendar package (State Council notices, 调休 included); the holiday table
kernel replaces the source without changing these signatures.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

# Records older than 1900 or dates past 2099 are typing mistakes in this domain.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2099, 12, 31)


class DateInputError(ValueError):
    """A date a person typed that is not a date, or not a plausible one; the message is Chinese."""


def parse_day(text: object, what: str = "日期") -> dt.date:
    """YYYY-MM-DD within 1900–2099, or DateInputError naming the field."""
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        day = text
    else:
        raw = str(text or "").strip()
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise DateInputError(f"{what}“{raw}”不是 YYYY-MM-DD 格式的日期") from None
    if not EARLIEST <= day <= LATEST:
        raise DateInputError(f"{what}“{day.isoformat()}”超出可处理的范围（1900-01-01 至 2099-12-31）")
    return day


def is_working_day(day: dt.date) -> bool:
    """True on a working day (调休 Saturdays included); weekends only outside the covered years."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


# --- months: the 所属期 of payments and statements, stored as the first day of the month ---
def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date:
    """'2026-12' or '2026-12-01' → 2026-12-01; a Chinese error otherwise."""
    raw = str(text).strip()
    return first_of(parse_day(raw + "-01" if len(raw) == 7 else raw, "所属期"))


def month_label(month: dt.date) -> str:
    return f"{month:%Y年%m月}"


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included (empty when last < first)."""
    out, month = [], first_of(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out
