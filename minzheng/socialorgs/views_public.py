"""The public lookup (no login): an organisation on the register by name or credit code, with its kind,
legal representative, address, status, grade in force and the inspection results made public
(双随机一公开). Nothing a resident should not see: no phone, no internal opinions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minzheng.socialorgs import selectors
from minzheng.socialorgs.flow import ORG


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    today = timezone.localdate()
    rows = []
    for org in selectors.public_search(q):
        published = org.inspections.filter(published_on__isnull=False).order_by("-inspected_on")
        rows.append((org, ORG.state_label(org.status), selectors.current_rating(org, today), list(published[:3])))
    return render(request, "socialorgs/public.html", {"q": q, "rows": rows})
