"""养老机构 on the 待办: ratings about to expire or expired (the county re-rates), and inspection findings
past their rectification deadline (the county follows up). Producers: an item closes by itself when a
new rating supersedes the old one or the finding is rectified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from minzheng.institutions import params
from minzheng.institutions.models import Finding, Rating
from minzheng.workitems.services import ItemSpec, producer, refresh

RATING_SOURCE = "institution_rating"
FINDING_SOURCE = "institution_finding"


@producer(RATING_SOURCE, {"institution_rating_expiring": "养老机构等级评定到期"})
def ratings_expiring() -> Iterator[ItemSpec]:
    """One item per current rating within the warning days of its end (or past it)."""
    today = timezone.localdate()
    for rating in Rating.objects.filter(status=Rating.Status.CURRENT).select_related("institution").order_by("pk"):
        warn = params.param_int(params.RATING_WARN, rating.division_code, today)
        if today < rating.valid_until - dt.timedelta(days=warn):
            continue
        expired = today > rating.valid_until
        inst = rating.institution
        yield ItemSpec(
            source=RATING_SOURCE,
            kind="institution_rating_expiring",
            title=f"{inst.name} {rating.level} 级评定{'已于' if expired else '将于'} {rating.valid_until} 到期，请复评"[
                :200
            ],
            subject_type="institution",
            subject_id=str(inst.pk),
            division_code=inst.division_code,
            role="county_approver",
            fingerprint=f"institutions:rating:{rating.pk}",
            due_on=rating.valid_until,
            data={"rating": rating.pk, "level": rating.level, "link": f"/institutions/{inst.pk}/"},
        )


@producer(FINDING_SOURCE, {"institution_finding_overdue": "养老机构整改逾期"})
def findings_overdue() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    rows = Finding.objects.filter(
        rectified_on__isnull=True, rectify_by__lt=today, inspection__status="rectifying"
    ).select_related("inspection__institution")
    for f in rows.order_by("pk"):
        insp = f.inspection
        inst = insp.institution
        yield ItemSpec(
            source=FINDING_SOURCE,
            kind="institution_finding_overdue",
            title=f"{inst.name} {insp.get_kind_display()}问题“{f.item[:40]}”应于 {f.rectify_by} 前整改，尚未整改",
            subject_type="institution_inspection",
            subject_id=str(insp.pk),
            division_code=inst.division_code,
            role="county_approver",
            fingerprint=f"institutions:finding:{f.pk}:{f.rectify_by.isoformat()}",
            due_on=f.rectify_by,
            data={"severity": f.severity, "link": f"/institutions/inspections/{insp.pk}/"},
        )


def refresh_items() -> dict[str, dict[str, int]]:
    return {source: refresh(source) for source in (RATING_SOURCE, FINDING_SOURCE)}
