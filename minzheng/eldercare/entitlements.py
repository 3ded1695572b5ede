"""Monthly entitlement of an elder: service hours and the government's share, from dated parameters.

Keys (data/params.yaml, imported with `minzheng params import`):
`eldercare.hours.<status>.<level>` (小时/月) and `eldercare.subsidy_share.<status>.<level>` (%),
resolved for the elder's village with the rules catalogue's fallback (village → … → national).
An elder of status "other" aged `homecare.elderly_age` or more gets at least `homecare.hours_elderly`
hours (宁波, seed 002): the same keys and floor as the rules catalogue's homecare policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from minzheng.eldercare.models import AbilityLevel, Elder, ElderStatus, Order, OrderChannel, OrderStatus
from minzheng.rules.selectors import param_resolve

BOOKED = (
    OrderStatus.PLACED,
    OrderStatus.DISPATCHED,
    OrderStatus.ACCEPTED,
    OrderStatus.CHECKED_IN,
    OrderStatus.IN_SERVICE,
)
DONE = (OrderStatus.CHECKED_OUT, OrderStatus.VISITED_BACK, OrderStatus.SETTLED)


class ParamMissingError(LookupError):
    """A parameter has no value in force: the message names key, region and date."""


@dataclass(frozen=True)
class Param:
    value: int
    text: str  # "20 小时/月（全国，2020-01-01 起；依据 …）"


def param_int(key: str, region_code: str, as_of: dt.date) -> Param:
    found = param_resolve(key, region_code, as_of)
    if found is None:
        raise ParamMissingError(f"参数“{key}”在地区 {region_code or '全国'} 于 {as_of.isoformat()} 没有生效的取值")
    value = Decimal(str(found.value))
    where = found.region_code or "全国"
    text = (
        f"{value.normalize():f} {found.unit}（{where}，{found.effective_from.isoformat()} 起；依据 {found.reference}）"
    )
    return Param(int(value), text)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes [first day 00:00, next month's first day 00:00) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month_start(month), dt.time(), tzinfo=tz)
    return start, dt.datetime.combine(next_month(month), dt.time(), tzinfo=tz)


@dataclass
class Entitlement:
    month: dt.date
    status: str
    level: int | None
    hours: int = 0
    share_pct: int = 0
    used_minutes: int = 0
    booked_minutes: int = 0
    sources: list[str] = field(default_factory=list)
    problem: str = ""  # why there is no entitlement (not assessed, parameter missing)

    @property
    def entitled_minutes(self) -> int:
        return self.hours * 60

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.entitled_minutes - self.used_minutes - self.booked_minutes)

    @property
    def remaining_text(self) -> str:
        return _hours_text(self.remaining_minutes)

    @property
    def used_text(self) -> str:
        return _hours_text(self.used_minutes)

    @property
    def booked_text(self) -> str:
        return _hours_text(self.booked_minutes)

    @property
    def status_label(self) -> str:
        return ElderStatus(self.status).label

    @property
    def level_label(self) -> str:
        return AbilityLevel(self.level).label if self.level is not None else "未评估"


def _hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")


def entitlement_rates(elder: Elder, as_of: dt.date) -> tuple[Param, Param]:
    """(hours per month, government share in %) for the elder's status and level on `as_of`."""
    suffix = f"{elder.status}.{elder.ability_level}"
    hours = param_int(f"eldercare.hours.{suffix}", elder.division_code, as_of)
    if elder.status == ElderStatus.OTHER:
        hours = _elderly_floor(elder, as_of, hours)
    return hours, param_int(f"eldercare.subsidy_share.{suffix}", elder.division_code, as_of)


def _elderly_floor(elder: Elder, as_of: dt.date, hours: Param) -> Param:
    """宁波 (seed 002): every elder from `homecare.elderly_age` gets `homecare.hours_elderly` at least."""
    min_age = param_int("homecare.elderly_age", elder.division_code, as_of)
    born = elder.person.birth_date
    age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    if age < min_age.value:
        return hours
    floor = param_int("homecare.hours_elderly", elder.division_code, as_of)
    if floor.value <= hours.value:
        return hours
    return Param(floor.value, f"{floor.text}；{age} 周岁，达到高龄服务年龄 {min_age.text}")


def minutes_in_month(elder: Elder, month: dt.date, statuses: tuple[str, ...], *, exclude: int | None = None) -> int:
    start, end = month_range(month)
    orders = Order.objects.filter(elder=elder, status__in=statuses, window_start__gte=start, window_start__lt=end)
    # Time-bank orders are paid with banked hours, not with the month's government hours.
    orders = orders.exclude(channel=OrderChannel.TIMEBANK)
    if exclude is not None:
        orders = orders.exclude(pk=exclude)
    return orders.aggregate(m=Sum("minutes"))["m"] or 0


def entitlement(elder: Elder, as_of: dt.date) -> Entitlement:
    """The month of `as_of`: hours, share, minutes used (done) and booked (not yet done)."""
    month = month_start(as_of)
    ent = Entitlement(month, elder.status, elder.ability_level)
    ent.used_minutes = minutes_in_month(elder, month, DONE)
    ent.booked_minutes = minutes_in_month(elder, month, BOOKED)
    if elder.ability_level is None:
        ent.problem = "尚未完成能力评估，暂无服务时长"
        return ent
    try:
        hours, share = entitlement_rates(elder, as_of)
    except ParamMissingError as exc:
        ent.problem = str(exc)
        return ent
    ent.hours, ent.share_pct = hours.value, share.value
    ent.sources = [f"每月服务时长 {hours.text}", f"政府承担比例 {share.text}"]
    return ent
