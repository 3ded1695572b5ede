from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.accounts.access import can_read_audit
from minzheng.audit.forms import AuditSearchForm
from minzheng.audit.selectors import audit_search
from minzheng.core.decorators import role_required


@role_required(can_read_audit)
def search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_search(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "query": query.urlencode()})
