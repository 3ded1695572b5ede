"""儿童档案 pages: the list (masked, filters, Excel export), one child's file (every read audited) and
the forms a 儿童主任 / 儿童督导员 / town officer uses to record a parent's situation, a guardian,
school, health and the 监护缺失 finding. Thin: access (404 outside) → services → templates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.children import selectors, services
from minzheng.children.access import access_child, can_read, can_write, files_visible_to
from minzheng.children.forms import ChildFilter, FileForm, GuardianForm, OpenForm, SituationForm, tri_text
from minzheng.children.models import ChildFile
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q, within
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.registry.models import Person
from minzheng.registry.services import LookupRefused, number_lookup, numbers_lookup

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = ["姓名（脱敏）", "公民身份号码（脱敏）", "年龄", "区划代码", "类别", "待核对", "判定日期"]


@role_required(can_read)
def child_list(request: HttpRequest) -> HttpResponse:
    form = ChildFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.filtered(
        files_visible_to(request.user),
        category=data.get("category", ""),
        village=data.get("village", ""),
        pending=bool(data.get("pending")),
    ).filter(within("division_code", request.GET.get("division")))  # a dashboard link's division
    today = timezone.localdate()
    if request.GET.get("export") == "xlsx":
        return _export(request, qs, today)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": [selectors.ChildRow.of(c, today) for c in page],
        "page": page,
        "query": query.urlencode(),
        "count": page.paginator.count,
        "writable": can_write(request.user),
        "open_form": OpenForm(),
    }
    return render(request, "children/list.html", context)


def _export(request: HttpRequest, qs: Any, today: Any) -> HttpResponse:
    rows = []
    for child in qs[:EXPORT_LIMIT]:
        r = selectors.ChildRow.of(child, today)
        cat = getattr(child, "category", None)
        rows.append(
            [
                r.name,
                r.id_number,
                r.age,
                r.division_code,
                "、".join(r.categories),
                "、".join(r.pending),
                cat.as_of if cat else "",
            ]
        )
    name = f"儿童档案名册-{today:%Y%m%d}.xlsx"
    data = xlsx_bytes([Sheet("儿童档案名册", EXPORT_COLUMNS, rows, widths=[(0, 6, 16)])])
    filters = {k: v for k, v in request.GET.items() if k != "export"}
    services.child_files_exported(
        actor=request.user, name=name, rows=len(rows), filters=filters, client_ip=client_ip(request)
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(can_read)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = access_child(request.user, pk)
    services.child_file_read(child, actor=request.user, client_ip=client_ip(request))
    today = timezone.localdate()
    context = {
        "child": child,
        "age": selectors.age_on(child.person.birth_date, today),
        "category": getattr(child, "category", None),
        "situations": selectors.situations(child),
        "guardians": selectors.guardians(child),
        "linked": selectors.linked(child),
        "writable": can_write(request.user),
    }
    return render(request, "children/detail.html", context)


@require_POST
@role_required(can_write)
def child_open(request: HttpRequest) -> HttpResponse:
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("children:list")
    if refused := _lookup(request, form.cleaned_data["id_number"], "儿童建档"):
        messages.error(request, refused)
        return redirect("children:list")
    person = _person_in_scope(request, form.cleaned_data["id_number"])
    if person is None:
        messages.error(request, "儿童公民身份号码：本辖区户籍中没有此人")
        return redirect("children:list")
    child = services.child_file_open(person=person, actor=request.user, client_ip=client_ip(request))
    return redirect("children:detail", pk=child.pk)


def _lookup(request: HttpRequest, number: str, purpose: str) -> str | None:
    """The refusal when this user typed too many numbers lately (every lookup audited), else None."""
    return number_lookup(actor=request.user, number=number, purpose=purpose, client_ip=client_ip(request))  # type: ignore[arg-type]


def _looked_up(request: HttpRequest, number: str, purpose: str) -> None:
    """As `_lookup` for a number the service then looks up: LookupRefused over the rate; a blank one is not counted."""
    numbers_lookup(actor=request.user, numbers=[number], purpose=purpose, client_ip=client_ip(request))  # type: ignore[arg-type]


def _person_in_scope(request: HttpRequest, id_number: str) -> Person | None:
    return Person.objects.filter(prefix_q("division_code", request.user.jurisdiction), id_number=id_number).first()  # type: ignore[union-attr]


def _form_page(request: HttpRequest, child: ChildFile, form: Any, title: str) -> HttpResponse:
    return render(request, "children/form.html", {"child": child, "form": form, "title": title})


@role_required(can_write)
def situation_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = access_child(request.user, pk, write=True)
    form = SituationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        number = d["parent_id_number"]
        try:
            _looked_up(request, number, "儿童父母情形")
            parent = Person.objects.filter(id_number=number).first() if number else None
            services.situation_record(
                child, parent=d["parent"], situation=d["situation"], since=d["since"], source=d["source"],
                evidence=d["evidence"], parent_person=parent, actor=request.user, client_ip=client_ip(request),
            )  # fmt: skip
        except (services.ChildFileError, LookupRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已记录父母情形，类别已按规则重新判定")
            return redirect("children:detail", pk=child.pk)
    return _form_page(request, child, form, "记录父母情形")


@role_required(can_write)
def guardian_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = access_child(request.user, pk, write=True)
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _looked_up(request, d["id_number"], "儿童监护人")
            person = Person.objects.filter(id_number=d["id_number"]).first() if d["id_number"] else None
            services.guardian_record(
                child, relation=d["relation"], since=d["since"], person=person, name=d["name"],
                id_number=d["id_number"], phone=d["phone"], is_primary=d["is_primary"], actor=request.user,
                client_ip=client_ip(request),
            )  # fmt: skip
        except (services.ChildFileError, LookupRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记监护人")
            return redirect("children:detail", pk=child.pk)
    return _form_page(request, child, form, "登记监护人")


@role_required(can_write)
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = access_child(request.user, pk, write=True)
    initial = {f: getattr(child, f) for f in services.FILE_FIELDS}
    initial["in_school"], initial["guardian_missing"] = tri_text(child.in_school), tri_text(child.guardian_missing)
    form = FileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.child_file_update(child, actor=request.user, client_ip=client_ip(request), **form.values())
        messages.success(request, "已保存，类别已按规则重新判定")
        return redirect("children:detail", pk=child.pk)
    return _form_page(request, child, form, "在校、健康与监护情况")
