"""Home-care dispatch engine (Django-free): dataclasses in, dataclasses out.

- `assign_nearest(order, caregivers, radius_m=3000, now=...)`: instant dispatch to the nearest
  free, on-duty caregiver holding the item's qualification (grid index, haversine).
- `plan_day(visits, caregivers, time_limit_s=...)`: tomorrow's routes with OR-Tools (time windows,
  qualifications, working hours, travel), dropped visits with a Chinese reason;
  `plan_by_area(...)`: the same per 乡镇 (the visits' and caregivers' `area`);
  `plan_county(...)`: by area first, then a repair across the borders (the whole county in seconds).
"""

from minzheng.eldercare.dispatch.areas import plan_by_area, plan_county
from minzheng.eldercare.dispatch.geo import haversine_m
from minzheng.eldercare.dispatch.instant import DEFAULT_RADIUS_M, CaregiverIndex, assign_nearest, on_duty
from minzheng.eldercare.dispatch.plan import DEFAULT_SPEED_KMH, plan_day
from minzheng.eldercare.dispatch.types import (
    Assignment,
    Caregiver,
    Dropped,
    Order,
    Plan,
    Route,
    RoutePoint,
    Stop,
    Visit,
)

__all__ = [
    "DEFAULT_RADIUS_M",
    "DEFAULT_SPEED_KMH",
    "Assignment",
    "Caregiver",
    "CaregiverIndex",
    "Dropped",
    "Order",
    "Plan",
    "Route",
    "RoutePoint",
    "Stop",
    "Visit",
    "assign_nearest",
    "haversine_m",
    "on_duty",
    "plan_by_area",
    "plan_county",
    "plan_day",
]
