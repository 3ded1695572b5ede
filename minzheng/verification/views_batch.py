"""批量复核 and 核对工作清单 pages. Thin: access + services + selectors (v3_batch)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.accounts.access import can_unmask
from minzheng.audit.services import client_ip
from minzheng.core.dates import DateInputError, parse_day
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import within
from minzheng.jobs.services import job_start_in_background
from minzheng.registry.models import Person
from minzheng.verification import access
from minzheng.verification.models import BatchRun, WorklistItem
from minzheng.verification.selectors import latest_feed_day
from minzheng.verification.services import batch_run_resume, batch_run_start, worklist_viewed
from minzheng.verification.worklist_export import ExportRefused, worklist_export
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import actions_for

PAGE = 50


STATUSES = [(s.value, s.label) for s in WorkItem.Status]


def _filters(request: HttpRequest) -> dict[str, str]:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", WorkItem.Status.OPEN)
    return {
        "kind": kind if kind in WorklistItem.Kind.values else "",
        "status": status if status in WorkItem.Status.values else "",
        "division": division if (division := request.GET.get("division", "")).isdigit() else "",
    }


def worklist_filtered(user: object, filters: dict[str, str]):  # type: ignore[no-untyped-def]
    """The findings' 待办 the page lists: newest data first."""
    items = access.worklist_visible_to(user).select_related("resolved_by")
    if filters["kind"]:
        items = items.filter(kind=filters["kind"])
    if filters["status"]:
        items = items.filter(status=filters["status"])
    items = items.filter(within("division_code", filters.get("division")))  # a dashboard link's division
    return items.order_by("-created_at", "kind", "id")


@role_required(access.can_view_worklist)
def worklist(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(worklist_filtered(request.user, filters), PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    worklist_viewed(
        actor=request.user, items=items, filters={**filters, "page": str(page.number)}, client_ip=client_ip(request)
    )
    persons = Person.objects.in_bulk([i.data.get("person_id") for i in items if i.data.get("person_id")])
    rows = [
        {
            "item": i,
            "kind": dict(WorklistItem.Kind.choices).get(i.kind, i.kind),
            "person": persons.get(i.data.get("person_id")),
            "actions": actions_for(i, request.user),
        }
        for i in items
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "kinds": WorklistItem.Kind.choices,
        "statuses": STATUSES,
        "can_handle": access.can_handle_worklist(request.user),
        "can_unmask": can_unmask(request.user),
        "query": "&".join(f"{k}={v}" for k, v in filters.items()),
    }
    return render(request, "verification/worklist.html", context)


@role_required(access.can_view_worklist)
def worklist_download(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    full = request.GET.get("full") == "1"
    try:
        path = worklist_export(
            actor=request.user,
            items=worklist_filtered(request.user, filters),
            filters=filters,
            full_numbers=full,
            reason=request.GET.get("reason", ""),
            client_ip=client_ip(request),
        )
    except ExportRefused as exc:
        messages.error(request, str(exc))
        return redirect("verification:worklist")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- 批量复核 ----------------------------------------------------------------------------------------


@role_required(access.can_run_batch)
def batch_runs(request: HttpRequest) -> HttpResponse:
    runs = list(access.batch_runs_visible_to(request.user).select_related("created_by")[:30])
    labels = dict(WorklistItem.Kind.choices)
    for run in runs:
        run.count_rows = [(labels.get(k, k), n) for k, n in run.counts.items() if n]  # type: ignore[attr-defined]
    context = {
        "runs": runs,
        "today": (latest_feed_day(timezone.localdate()) or timezone.localdate()).isoformat(),
        "active": any(r.status in (BatchRun.Status.QUEUED, BatchRun.Status.RUNNING) for r in runs),
    }
    template = "verification/batch_runs.html#runs" if request.htmx else "verification/batch_runs.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@role_required(access.can_run_batch)
def batch_run_new(request: HttpRequest) -> HttpResponse:
    try:
        as_of = parse_day(request.POST.get("as_of", ""), "数据时点")
    except DateInputError as exc:
        messages.error(request, str(exc))
        return redirect("verification:batch_runs")
    # The page always runs in-process (DuckDB): the engine is an operator's choice, made in the CLI.
    engine = BatchRun.Engine.DUCKDB
    scope = BatchRun.Scope.ALL if request.POST.get("all") == "1" else BatchRun.Scope.BENEFICIARIES
    try:
        run = batch_run_start(actor=request.user, as_of=as_of, engine=engine, scope=scope, client_ip=client_ip(request))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("verification:batch_runs")
    job_start_in_background(run.job)
    messages.success(request, f"已启动批量复核 {run.pk}（数据时点 {as_of}）")
    return redirect("verification:batch_runs")


@require_POST
@role_required(access.can_run_batch)
def batch_run_continue(request: HttpRequest, run_id: int) -> HttpResponse:
    """An interrupted (failed) run goes on from its last stored partition."""
    run = access.batch_runs_visible_to(request.user).filter(pk=run_id, status=BatchRun.Status.FAILED).first()
    if run is None:
        raise Http404("批量复核不存在或不需要继续")
    run = batch_run_resume(actor=request.user, run=run)
    job_start_in_background(run.job)
    messages.success(
        request, f"批量复核 {run.pk} 从断点继续（已完成 {run.partitions_done}/{run.partitions_total} 个分区）"
    )
    return redirect("verification:batch_runs")
