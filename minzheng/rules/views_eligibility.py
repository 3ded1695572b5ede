"""资格判定 pages: the household's 可享政策 panel, the worklists with Excel export, batch runs, what-if."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode

from minzheng.audit.services import client_ip
from minzheng.core.dates import DateInputError, parse_day
from minzheng.core.decorators import login_required, role_required
from minzheng.jobs.services import job_start_in_background
from minzheng.rules import access, panel, selectors, services
from minzheng.rules.eligibility import fen_text
from minzheng.rules.engine.evaluate import EvaluationError
from minzheng.rules.engine.params import ParamMissing
from minzheng.rules.exports import worklist_export
from minzheng.rules.forms import BatchForm, WhatIfForm
from minzheng.rules.models import WorklistItem
from minzheng.workitems.models import WorkItem


def _as_of(request: HttpRequest) -> dt.date:
    """The typed date (1900–2099, `core.dates.parse_day`), else today: a wild year never reaches the engine."""
    try:
        return parse_day(request.GET.get("as_of", ""), "判定日期")
    except DateInputError:
        return timezone.localdate()


@login_required
def household_panel(request: HttpRequest, household_id: int) -> HttpResponse:
    """The 可享政策 panel on the registry's household page (htmx); empty for roles that do not decide.

    Who may see the household is decided here, per request; the fragment itself is cached per
    inputs and holds nothing of the user (`rules.panel`); every read is audited.
    """
    if not access.can_read_decisions(request.user):
        return HttpResponse("")
    household = panel.visible_household(request.user, household_id)
    as_of = _as_of(request)
    try:
        html = panel.panel_html(actor=request.user, household=household, as_of=as_of, client_ip=client_ip(request))
    except (ParamMissing, EvaluationError) as exc:
        return render(request, panel.TEMPLATE, {"error": str(exc), "as_of": as_of})
    return HttpResponse(html)


STATUSES = [(s.value, s.label) for s in WorkItem.Status]


def _worklist_filters(request: HttpRequest, default_status: str) -> dict[str, str]:
    kind, status = request.GET.get("kind", ""), request.GET.get("status", default_status)
    return {
        "kind": kind if kind in WorklistItem.Kind.values else "",
        "policy_id": request.GET.get("policy", "").strip(),
        "status": status if status in WorkItem.Status.values else "",
        "division": division if (division := request.GET.get("division", "")).isdigit() else "",  # a dashboard link
    }


@role_required(access.can_read_decisions)
def worklist(request: HttpRequest) -> HttpResponse:
    """The findings' 待办 in the user's jurisdiction, with the latest run's figures above them."""
    run = selectors.latest_run(user=request.user)
    filters = _worklist_filters(request, WorkItem.Status.OPEN)
    page = Paginator(selectors.worklist_items(user=request.user, **filters), 50).get_page(request.GET.get("page"))
    rows = selectors.WorklistRow.page(list(page.object_list), request.user)
    if rows or run is not None:
        services.worklist_viewed(
            actor=request.user, run=run, rows=rows, filters=filters, page=page.number, client_ip=client_ip(request)
        )
    open_counts = selectors.open_counts(user=request.user)
    counts = {k: open_counts.get(k, 0) for k in WorklistItem.Kind.values}
    query = {"kind": filters["kind"], "policy": filters["policy_id"], "status": filters["status"]}
    return render(
        request,
        "rules/worklist.html",
        {
            "run": run,
            "page": page,
            "rows": rows,
            "kind": filters["kind"],
            "policy": filters["policy_id"],
            "kinds": WorklistItem.Kind.choices,
            "policies": selectors.policy_choices(),
            "status": filters["status"],
            "statuses": STATUSES,
            "counts": counts,
            "summary": selectors.run_summary(user=request.user, run=run),
            "figures": selectors.run_figures(user=request.user, run=run) if run else None,
            "query": urlencode({**query, "division": filters["division"]}),
            "can_run": access.can_run_batch(request.user),
        },
    )


@role_required(access.can_read_decisions)
def worklist_download(request: HttpRequest) -> HttpResponse:
    filters = _worklist_filters(request, "")
    path = worklist_export(actor=request.user, filters=filters, client_ip=client_ip(request))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@role_required(access.can_run_batch)
def runs(request: HttpRequest) -> HttpResponse:
    """Batch runs over the user's area; start a new one (a job the page then follows)."""
    form = BatchForm(request.POST or None, initial={"as_of": timezone.localdate().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region_code"].strip() or request.user.jurisdiction
        access.require_region(request.user, region)
        try:
            _, job = services.eligibility_batch_start(
                actor=request.user,
                as_of=form.cleaned_data["as_of"],
                region_code=region,
                engine="polars",
                client_ip=client_ip(request),
            )
        except services.RulesError as exc:
            form.add_error(None, str(exc))
        else:
            job_start_in_background(job)
            return redirect("rules:run", run_id=job.params["run_id"])
    rows = list(selectors.runs_visible_to(request.user).select_related("started_by")[:30])
    for r in rows:  # a run over a wider area shows the user's part only
        r.figures = selectors.run_figures(user=request.user, run=r)  # type: ignore[attr-defined]
    return render(request, "rules/runs.html", {"form": form, "runs": rows}, status=400 if form.errors else 200)


@role_required(access.can_run_batch)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run's progress (polled by htmx while it runs), then its figures and the way to the worklist."""
    from minzheng.jobs.models import Job
    from minzheng.rules.tasks import BATCH_KIND

    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=run_id)
    job = Job.objects.filter(kind=BATCH_KIND, params__run_id=run.pk).order_by("-created_at").first()
    template = "rules/run.html#progress" if request.htmx else "rules/run.html"
    # Figures and the county summary only for what lies inside the user's jurisdiction.
    summary = selectors.run_summary(user=request.user, run=run)
    figures = selectors.run_figures(user=request.user, run=run)
    return render(request, template, {"run": run, "job": job, "summary": summary, "figures": figures})


@role_required(access.can_whatif)
def whatif(request: HttpRequest) -> HttpResponse:
    """政策测算: scale one parameter in one region from a date; who gains and loses, and the cost."""
    today = timezone.localdate()
    initial = {"region_code": request.user.jurisdiction, "from_date": today.replace(day=1), "as_of": today}
    form = WhatIfForm(request.POST or None, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access.require_region(request.user, data["region_code"])
        try:
            result = services.whatif(
                actor=request.user,
                key=data["key"],
                region_code=data["region_code"],
                from_date=data["from_date"],
                scale=data["scale"],
                as_of=data["as_of"],
                client_ip=client_ip(request),
            )
        except (services.RulesError, ParamMissing, EvaluationError) as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "rules/whatif.html",
        {"form": form, "result": result, "rows": _whatif_rows(result), "total": _total(result)},
        status=400 if form.errors else 200,
    )


def _signed(fen: int) -> str:
    return ("+" if fen > 0 else "") + fen_text(fen)


def _whatif_rows(result: object) -> list[dict[str, object]]:
    if result is None:
        return []
    return [
        {
            **vars(c),
            "before_text": fen_text(c.cost_before_fen),
            "after_text": fen_text(c.cost_after_fen),
            "change_text": _signed(c.cost_change_fen),
        }
        for c in result.policies  # type: ignore[attr-defined]
    ]


def _total(result: object) -> str:
    return _signed(result.monthly_cost_change_fen) if result is not None else ""  # type: ignore[attr-defined]
