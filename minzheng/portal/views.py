from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.accounts.access import can_read_registry, can_unmask
from minzheng.core.decorators import login_required
from minzheng.divisions.selectors import division_full_name
from minzheng.registry.models import PersonTag
from minzheng.registry.selectors import jurisdiction_counts

HOME_TAGS = [
    "living_alone_elder",
    "disability",
    "incapacity",
    "left_behind_child",
    "dibao",
    "dibao_edge",
    "tekun",
    "orphan",
    "unsupported_child",
    "distressed_child",
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's jurisdiction at a glance: persons, households, people who need attention."""
    user = request.user
    context = {"jurisdiction_name": division_full_name(user.jurisdiction.ljust(12, "0")) or user.jurisdiction}
    if can_read_registry(user):
        counts = jurisdiction_counts(user=user)
        # 低保、特困 … count the persons live entitlements cover (payments), not hand-kept tags.
        from minzheng.payments.tags import covered_counts

        counts.update(covered_counts(user.jurisdiction))
        context["counts"] = counts
        context["tag_counts"] = [(k, PersonTag.Kind(k).label, counts[k]) for k in HOME_TAGS]
        context["can_unmask"] = can_unmask(user)
    return render(request, "portal/home.html", context)
