"""The caseworker's 待办 for an event's benefit changes: one item per event while any change waits.

Due on the last working day of the month: the next month's payroll runs from the 1st, and the
entitlements concerned are suspended until the caseworker confirms, so nothing is paid wrongly
meanwhile, but the household's money is held until then.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.lifeevents.models import BenefitChange, LifeEvent
from minzheng.workitems.services import KIND_LABELS, ItemSpec, item_upsert, items_close_by_producer

SOURCE = "lifeevent_benefit"
KIND = "lifeevent_benefit"
KIND_LABELS.update({KIND: "一件事待遇变更"})


def before_next_payroll(today: dt.date) -> dt.date:
    """The last working day of this month (the next payroll covers next month, computed from the 1st)."""
    from minzheng.workdays.selectors import add_working_days

    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    day = last
    # Step back to a working day: the first working day after (day - 1) is day itself when it works.
    while add_working_days(day - dt.timedelta(days=1), 1) != day and day > today:
        day -= dt.timedelta(days=1)
    return day


def benefit_item_sync(event: LifeEvent) -> None:
    fingerprint = f"lifebenefit:{event.pk}"
    waiting = event.benefit_changes.filter(status=BenefitChange.Status.PROPOSED).count()
    if not waiting:
        items_close_by_producer([fingerprint], "待遇变更已全部确认")
        return
    item_upsert(
        ItemSpec(
            source=SOURCE,
            kind=KIND,
            title=(
                f"{event.case.case_no} {mask_name(event.person.name)} {event.get_kind_display()}："
                f"待遇变更 {waiting} 项待确认（下次发放前）"
            ),
            subject_type="life_event",
            subject_id=str(event.pk),
            division_code=event.division_code,
            role="town_officer",
            fingerprint=fingerprint,
            due_on=before_next_payroll(timezone.localdate()),
            data={"case_no": event.case.case_no, "link": f"/lifeevents/{event.pk}/"},
        )
    )
