"""我的待办: what is mine, what is overdue, by kind; one place for every queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.workdays.selectors import settled
from minzheng.workitems import selectors
from minzheng.workitems.access import can_use
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import WorkItemError, actions_for, item_act, item_resolve, kind_label

LINKS = {"case": "/cases/{case_no}/"}  # other subjects carry their own `link` in data


def _link(item: WorkItem) -> str:
    template = LINKS.get(item.subject_type)
    try:
        return template.format(**item.data) if template else item.data.get("link", "")
    except KeyError:
        return ""


@role_required(can_use)
def mine(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "mine")
    kind = request.GET.get("kind", "")
    today = timezone.localdate()
    items = selectors.overdue(request.user, today) if tab == "overdue" else selectors.mine(request.user)
    if kind:
        items = items.filter(kind=kind)
    page = Paginator(items.order_by("due_on", "id"), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "item": i,
            "kind": kind_label(i.kind),
            "link": _link(i),
            "late": bool(i.due_on and i.due_on < today),
            "unsettled": bool(i.due_on and not settled(today, i.due_on)),
            "actions": actions_for(i, request.user),
        }
        for i in page
    ]
    kinds = [
        {"kind": k["kind"], "label": kind_label(k["kind"]), "n": k["n"]} for k in selectors.counts_by_kind(request.user)
    ]
    context = {"tab": tab, "kind": kind, "rows": rows, "page": page, "kinds": kinds}
    return render(request, "workitems/mine.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list the form was on (the 待办 page or a worklist page), never to another site."""
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else "workitems:mine")


@require_POST
@role_required(can_use)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.settleable(request.user), pk=pk)
    try:
        item_resolve(
            item, actor=request.user, resolution=request.POST.get("resolution", ""), client_ip=client_ip(request)
        )
    except WorkItemError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已处理：{item.title}")
    return _back(request)


@require_POST
@role_required(can_use)
def act(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One click: draft an application, open a 停保复核 …; the item is settled with the result."""
    item = get_object_or_404(selectors.settleable(request.user), pk=pk)
    try:
        url = item_act(item, key, actor=request.user, client_ip=client_ip(request))
    except WorkItemError as exc:
        messages.error(request, str(exc))
        return _back(request)
    messages.success(request, f"已处理：{item.title}")
    return redirect(url) if url else _back(request)
