"""What the 基层治理 views share: run a form through a service and come back with a Chinese message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minzheng.audit.services import client_ip
from minzheng.governance.services import GovernanceError
from minzheng.workflow.services import TransitionRefused

REFUSALS = (GovernanceError, TransitionRefused)


def form_errors(form: forms.Form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{e}".lstrip("：")
        for k, es in form.errors.items()
        for e in es
    )


def post_step(
    request: HttpRequest, form: forms.Form, run: Callable[[dict[str, Any], str], Any], back: str, done: str
) -> HttpResponse:
    """Validate `form`, call `run(cleaned_data, client_ip)`, and go back to `back` with a message either way."""
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    try:
        run(form.cleaned_data, client_ip(request))
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(back)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    title: str,
    run: Callable[[dict[str, Any], str], Any],
    next_url: Callable[[Any], str],
    note: str = "",
) -> HttpResponse:
    """A page with one form: on a valid POST call the service and go to `next_url(result)`."""
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data, client_ip(request))
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}：已保存")
            return redirect(next_url(result))
    return render(request, "governance/form.html", {"form": form, "title": title, "note": note})
