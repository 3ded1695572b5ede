"""待办: hours waiting on the organiser. One item per ended activity with volunteers signed out and not
yet confirmed, on the organiser's role in the activity's division; confirming them all closes it at the
next refresh (the scheduler refreshes every producer).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils import timezone

from minzheng.volunteers.models import Activity, Attendance
from minzheng.workdays.selectors import add_working_days
from minzheng.workitems.services import ItemSpec, producer

SOURCE = "volunteer_hours"
# System default, not a legal number: hours are confirmed within two working days after the activity.
CONFIRM_WORKING_DAYS = 2


@producer(SOURCE, {"volunteer_hours_pending": "志愿服务时长待确认"})
def hours_pending() -> Iterator[ItemSpec]:
    waiting = Count("attendances", filter=Q(attendances__status=Attendance.Status.SIGNED_OUT))
    ended = Activity.objects.filter(ends_at__lt=timezone.now()).annotate(n=waiting).filter(n__gt=0)
    for act in ended.select_related("organiser").order_by("pk"):
        yield ItemSpec(
            source=SOURCE,
            kind="volunteer_hours_pending",
            title=f"活动“{act.title}”有 {act.n} 名志愿者的服务时长待确认",
            subject_type="volunteer_activity",
            subject_id=str(act.pk),
            division_code=act.division_code,
            role=act.organiser.role,
            fingerprint=f"volunteers:hours:{act.pk}",
            due_on=add_working_days(timezone.localtime(act.ends_at).date(), CONFIRM_WORKING_DAYS),
            data={"link": f"/volunteers/activities/{act.pk}/", "organiser": act.organiser.username},
        )
