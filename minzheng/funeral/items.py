"""殡葬 on the 待办: ashes taken home and not laid to rest (骨灰跟踪管理, seed 002 金华: 火化、骨灰领取、骨灰安放
“跟踪管理”, against 乱埋乱葬), for the funeral officer, naming the village's 殡葬协理员 who visits the family.

A producer: the item closes by itself once a burial (or a return to the home's custody) is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.funeral.models import Assistant, Cremation
from minzheng.workitems.services import ItemSpec, producer

SOURCE = "funeral_ashes"
# System default, not a legal number: 30 days after the family took the ashes home without a recorded
# burial the funeral officer follows up (the local 骨灰安放管理办法 may set another period).
UNPLACED_DAYS = 30


@producer(SOURCE, {"funeral_ashes_unplaced": "骨灰领回未安放"})
def ashes_unplaced() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    late = today - dt.timedelta(days=UNPLACED_DAYS)
    rows = Cremation.objects.filter(ashes=Cremation.Ashes.TAKEN, ashes_since__lt=late).select_related("person")
    helpers = dict(Assistant.objects.filter(ended_on__isnull=True).values_list("division_code", "name"))
    for c in rows.order_by("pk"):
        helper = helpers.get(c.division_code)
        yield ItemSpec(
            source=SOURCE,
            kind="funeral_ashes_unplaced",
            title=f"{mask_name(c.person.name)} 的骨灰于 {c.ashes_since} 由家属领回，超过 {UNPLACED_DAYS} 日未登记安葬"
            + (f"（殡葬协理员：{helper}）" if helper else "（本村未配备殡葬协理员）"),
            subject_type="funeral_cremation",
            subject_id=str(c.pk),
            division_code=c.division_code,
            role="funeral_officer",
            fingerprint=f"funeral:ashes:{c.pk}",
            due_on=(c.ashes_since or today) + dt.timedelta(days=UNPLACED_DAYS),
            data={"link": f"/funeral/cremations/{c.pk}/", "taken_on": str(c.ashes_since)},
        )
