from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minzheng.accounts.access import can_read_audit
from minzheng.audit.forms import OBJECT_TYPES, AuditSearchForm
from minzheng.audit.models import AuditEvent
from minzheng.audit.selectors import audit_search
from minzheng.core.decorators import role_required

PAGE_SIZE = 50


@require_safe
@role_required(can_read_audit)
def search(request: HttpRequest) -> HttpResponse:
    """Read-only: the audit log has no edit or delete anywhere in the application."""
    form = AuditSearchForm(request.GET or None)
    if not form.is_bound:
        events = audit_search()
    elif form.is_valid():
        events = audit_search(**form.cleaned_data)
    else:  # a wrong filter shows its error and no rows, never the unfiltered log
        events = AuditEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, OBJECT_TYPES.get(event.object_type, event.object_type)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "audit/search.html", context)
