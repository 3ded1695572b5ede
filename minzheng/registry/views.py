"""Registry pages: search, person, household, unmask, edit, import, export. Thin: access + services."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.accounts.access import can_read_registry, can_unmask, can_write_registry
from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.uploads import upload_too_large
from minzheng.divisions.selectors import division_full_name
from minzheng.jobs.services import job_enqueue, job_start_in_background
from minzheng.registry import search as search_reads
from minzheng.registry import selectors, services
from minzheng.registry.access import access_household, access_person
from minzheng.registry.exports import persons_export
from minzheng.registry.forms import HouseholdCreateForm, ImportForm, PersonAddForm, PersonEditForm, UnmaskForm
from minzheng.registry.models import Household, Person
from minzheng.registry.search import SEARCH_LIMIT
from minzheng.registry.selectors import PersonRow


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@role_required(can_read_registry)
def search(request: HttpRequest) -> HttpResponse:
    """The search box and the home tiles' lists (`?list=dibao`): masked, rate-limited, audited."""
    q, list_name = request.GET.get("q", "").strip(), request.GET.get("list", "").strip()
    context: dict[str, object] = {
        "q": q,
        "list_name": list_name,
        "division": request.GET.get("division", "")[:12],
        "limit": SEARCH_LIMIT,
        "rows": [],
        "can_unmask": can_unmask(request.user),
    }
    status = 200
    if q or list_name:
        try:
            found = services.person_search_run(
                actor=request.user,
                q=q,
                list_name=list_name,
                page=_page_number(request),
                client_ip=client_ip(request),
                division=request.GET.get("division", ""),  # a dashboard link narrows the list to one division
            )
        except services.SearchRateLimited as exc:
            # htmx swaps no 4xx answer into the page: the fragment comes as 200 so the message shows.
            context["refused"], status = str(exc), 200 if request.htmx else 429
        else:
            context.update(_found_context(found, list_name, _page_number(request)))
    template = "registry/search.html#results" if request.htmx else "registry/search.html"
    return render(request, template, context, status=status)


def _found_context(found: search_reads.Found, list_name: str, page: int) -> dict[str, object]:
    today = timezone.localdate()
    context: dict[str, object] = {
        "rows": [PersonRow.of(p, today=today) for p in found.persons],
        "refused": found.refused,
    }
    if list_name:
        total = found.total or 0
        context.update(
            list_label=search_reads.LISTS.get(list_name, ""),
            total=total,
            page=page,
            next_page=page + 1 if page * SEARCH_LIMIT < total else None,
            prev_page=page - 1 if page > 1 else None,
        )
    return context


def _person_context(request: HttpRequest, person: Person, **extra: object) -> dict[str, object]:
    """The person page's context; rendering the page is a detail read, so it is audited here."""
    services.person_view(actor=request.user, person=person, client_ip=client_ip(request))
    return {
        "person": person,
        "row": PersonRow.of(person, today=timezone.localdate()),
        "address": division_full_name(person.household.division_id) + " " + person.household.grid_address,
        "tags": list(person.tags.all()),
        "history": selectors.person_history(person),
        "can_unmask": can_unmask(request.user),
        "can_edit": can_write_registry(request.user),
        # The phone is never pre-filled: the edit form must not unmask it.
        "unmask_form": UnmaskForm(),
        "edit_form": PersonEditForm(initial={"tags_text": person.tags_text}),
        **extra,
    }


@role_required(can_read_registry)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id)
    return render(request, "registry/person.html", _person_context(request, person))


@require_POST
@role_required(can_unmask)
def person_unmask(request: HttpRequest, person_id: int) -> HttpResponse:
    """Full number and phone, shown once on this response; never stored in the session."""
    person = access_person(request.user, person_id)
    form = UnmaskForm(request.POST)
    if not form.is_valid():
        return render(request, "registry/person.html", _person_context(request, person, unmask_form=form), status=400)
    full = services.person_unmask(
        actor=request.user, person=person, reason=form.cleaned_data["reason"], client_ip=client_ip(request)
    )
    return render(request, "registry/person.html", _person_context(request, person, full=full))


@require_POST
@role_required(can_write_registry)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(request.user, person_id, write=True)
    form = PersonEditForm(request.POST, initial={"tags_text": person.tags_text})  # benefit tags cannot change
    if not form.is_valid():
        return render(request, "registry/person.html", _person_context(request, person, edit_form=form), status=400)
    changes = {k: v for k, v in form.cleaned_data.items() if k != "phone" or v}  # blank phone = unchanged
    changed = services.person_update(actor=request.user, person=person, changes=changes, client_ip=client_ip(request))
    messages.success(request, f"已保存：{'、'.join(c.field for c in changed)}" if changed else "没有变化")
    return redirect("registry:person", person_id=person.pk)


def _household_context(request: HttpRequest, household: Household, **extra: object) -> dict[str, object]:
    services.household_view(actor=request.user, household=household, client_ip=client_ip(request))
    today = timezone.localdate()
    return {
        "household": household,
        "address": division_full_name(household.division_id) + " " + household.grid_address,
        "members": [PersonRow.of(p, today=today) for p in selectors.household_members(household)],
        "history": selectors.household_history(household),
        "can_edit": can_write_registry(request.user),
        "add_form": PersonAddForm(),
        **extra,
    }


@role_required(can_read_registry)
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = access_household(request.user, household_id)
    return render(request, "registry/household.html", _household_context(request, household))


@role_required(can_read_registry)
def export(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    if not q:  # nothing searched, nothing to export (and no empty file or audit row)
        return redirect("registry:search")
    try:
        path = persons_export(actor=request.user, q=q, client_ip=client_ip(request))
    except services.SearchRateLimited as exc:
        messages.error(request, str(exc))
        return redirect("registry:search")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


def _upload_save(upload: UploadedFile) -> Path:
    """UPLOADS_DIR/<uuid>/<original name>: the job reads it later, from another thread or process."""
    folder = settings.UPLOADS_DIR / uuid.uuid4().hex
    folder.mkdir(parents=True)
    saved = folder / str(upload.name)  # Django already reduced it to a safe base name
    with saved.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return saved


@role_required(can_write_registry)
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → job → redirect to the job page, which polls the progress."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and _upload_fits(form):
        upload = form.cleaned_data["file"]
        saved = _upload_save(upload)
        params = {"path": str(saved), "original_name": upload.name}
        job = job_enqueue(kind="registry.import_residents", params=params, actor=request.user)
        job_start_in_background(job)
        return redirect("jobs:detail", job_id=job.pk)
    return render(request, "registry/import.html", {"form": form}, status=400 if form.errors else 200)


def _upload_fits(form: forms.Form) -> bool:
    """The size cap (MINZHENG_MAX_UPLOAD_MB), for a body that came without a length."""
    reason = upload_too_large(form.cleaned_data["file"])
    if reason:
        form.add_error("file", reason)
    return reason is None


def _form_error(form: forms.Form, exc: Exception) -> None:
    form.add_error(None, str(exc))


@role_required(can_write_registry)
def household_new(request: HttpRequest) -> HttpResponse:
    """A 村 worker registers a new 户 with its 户主 from a phone."""
    villages = selectors.villages_for(user=request.user)
    form = HouseholdCreateForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_register(actor=request.user, client_ip=client_ip(request), **data)
        except services.RegistryError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已新增户 {household.household_no}")
            return redirect("registry:household", household_id=household.pk)
    return render(request, "registry/household_new.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@role_required(can_write_registry)
def person_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = access_household(request.user, household_id, write=True)
    form = PersonAddForm(request.POST)
    if form.is_valid():
        try:
            person = services.person_create(
                actor=request.user, household=household, client_ip=client_ip(request), **form.cleaned_data
            )
        except services.RegistryError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已添加成员 {person.name}")
            return redirect("registry:household", household_id=household.pk)
    return render(request, "registry/household.html", _household_context(request, household, add_form=form), status=400)
