"""地名 on the 待办: damaged or missing signs (the 地名办 replaces them) and applications past their stage's
deadline (a use confirmation is due in one working day). Producers: refreshed, closed when the fact is gone."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from minzheng.placenames.models import NamingApplication, Sign
from minzheng.placenames.services import FINAL_STATES, machine_of
from minzheng.workitems.services import ItemSpec, producer

SIGN_SOURCE = "placename_sign"
OVERDUE_SOURCE = "placename_overdue"


@producer(SIGN_SOURCE, {"placename_sign_repair": "地名标志待修复"})
def signs_to_repair() -> Iterator[ItemSpec]:
    bad = (Sign.Condition.DAMAGED, Sign.Condition.MISSING, Sign.Condition.FADED)
    for sign in Sign.objects.filter(condition__in=bad).select_related("place").order_by("pk"):
        yield ItemSpec(
            source=SIGN_SOURCE,
            kind="placename_sign_repair",
            title=f"{sign.kind}“{sign.text}”（{sign.location_text}）{sign.get_condition_display()}，请修复或更换",
            subject_type="placename_sign",
            subject_id=str(sign.pk),
            division_code=sign.division_code,
            role="placename_officer",
            # The check date is in the print: a repaired sign that breaks again is a new item.
            fingerprint=f"placename:sign:{sign.pk}:{sign.checked_on}",
            due_on=None,
            data={"link": f"/placenames/signs/{sign.pk}/"},
        )


@producer(OVERDUE_SOURCE, {"placename_overdue": "地名申请超期"})
def applications_overdue() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    late = NamingApplication.objects.filter(stage_due_on__lt=today).exclude(status__in=FINAL_STATES).order_by("pk")
    for app in late:
        stage = machine_of(app).state_label(app.status)
        yield ItemSpec(
            source=OVERDUE_SOURCE,
            kind="placename_overdue",
            title=f"{app.number} {app.proposed_name}「{stage}」应于 {app.stage_due_on} 前办结",
            subject_type="placename_application",
            subject_id=str(app.pk),
            division_code=app.division_code,
            role="placename_officer",
            fingerprint=f"placename:overdue:{app.pk}:{app.status}",
            due_on=app.stage_due_on,
            data={"link": f"/placenames/applications/{app.pk}/"},
        )
