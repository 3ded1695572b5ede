"""一键核对: pages. Thin: access + services + selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from minzheng.core.decorators import login_required


@login_required
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """The panel on the registry's household page (loaded by htmx); empty until the feature lands."""
    return HttpResponse("")
