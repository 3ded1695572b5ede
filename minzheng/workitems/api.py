"""`GET /api/v1/workitems?mine=1`: the caller's open 待办 (scoped like the page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from minzheng.workitems import selectors
from minzheng.workitems.services import kind_label

router = Router(tags=["待办"])


class WorkItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    subject_type: str
    subject_id: str
    due_on: dt.date | None
    overdue: bool
    data: dict[str, Any]


@router.get("/workitems", response=list[WorkItemOut], summary="我的待办（mine=1；overdue=1 只看超期）")
def workitems(request: HttpRequest, mine: int = 1, overdue: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    today = timezone.localdate()
    items = selectors.overdue(request.user) if overdue else selectors.mine(request.user)
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "kind_label": kind_label(i.kind),
            "title": i.title,
            "subject_type": i.subject_type,
            "subject_id": i.subject_id,
            "due_on": i.due_on,
            "overdue": bool(i.due_on and i.due_on < today),
            "data": i.data,
        }
        for i in items.order_by("due_on", "id")[: max(1, min(limit, 1000))]
    ]
