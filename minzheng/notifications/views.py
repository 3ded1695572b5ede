"""消息: my in-app messages; opening one marks it read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minzheng.core.decorators import role_required
from minzheng.notifications.selectors import inbox as inbox_of
from minzheng.notifications.services import mark_read
from minzheng.workitems.access import can_use


@role_required(can_use)
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@role_required(can_use)
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    mark_read(message, actor=request.user)
    safe = url_has_allowed_host_and_scheme(message.link, allowed_hosts={request.get_host()})
    return redirect(message.link if message.link and safe else "notifications:inbox")
