"""养老机构 pages: the county/town list, one institution (occupancy by care level, residents, rating,
inspections, subsidies), registration, and the operator's admissions, discharges and reassessments.
Thin: access (404 outside the jurisdiction or the operator's own unit) → services → templates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.institutions import access, selectors, services
from minzheng.institutions.forms import AccountForm, AdmitForm, DischargeForm, InstitutionForm, LevelForm
from minzheng.institutions.models import Institution
from minzheng.institutions.services_quality import current_rating
from minzheng.payments.models import BankAccount
from minzheng.payments.selectors import account_masked
from minzheng.registry.models import Person
from minzheng.registry.services import number_lookup


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_read)
def institution_list(request: HttpRequest) -> HttpResponse:
    own = access.own_institution(request.user)
    if own is not None:
        return redirect("institutions:detail", pk=own.pk)
    rows = []
    for inst in access.institutions_visible_to(request.user).order_by("division_code", "name"):
        rating = current_rating(inst)
        rows.append({"inst": inst, "occ": selectors.occupancy(inst), "rating": rating})
    if request.GET.get("export") == "xlsx":
        return _export_list(request, rows)
    return render(request, "institutions/list.html", {"rows": rows, "can_register": access.can_register(request.user)})


def _export_list(request: HttpRequest, rows: list[dict[str, Any]]) -> HttpResponse:
    cols = [
        "机构代码",
        "机构名称",
        "性质",
        "运营方",
        "备案编号",
        "区划代码",
        "床位",
        "在住",
        "入住率",
        "等级",
        "等级有效期至",
    ]
    data = [
        [r["inst"].code, r["inst"].name, r["inst"].get_kind_display(), r["inst"].operator,
         r["inst"].filing_no or r["inst"].licence_no, r["inst"].division_code, r["occ"].beds, r["occ"].occupied,
         r["occ"].rate_text, r["rating"].level if r["rating"] else "", r["rating"].valid_until if r["rating"] else ""]
        for r in rows
    ]  # fmt: skip
    services.exported(actor=request.user, what="养老机构名册", rows=len(data), client_ip=client_ip(request))
    name = f"养老机构名册-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(xlsx_bytes([Sheet("养老机构", cols, data)]), name)


@role_required(access.can_read)
def mine(request: HttpRequest) -> HttpResponse:
    own = access.own_institution(request.user)
    if own is None:
        return redirect("institutions:list")
    return redirect("institutions:detail", pk=own.pk)


@role_required(access.can_read)
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    current = selectors.current_residents(inst)
    if request.GET.get("export") == "xlsx":
        return _export_residents(request, inst, current)
    account = BankAccount.objects.filter(unit=inst.code, active=True).first()
    context = {
        "inst": inst,
        "occ": selectors.occupancy(inst),
        "residents": selectors.resident_rows(current),
        "past": selectors.resident_rows(selectors.past_residents(inst)),
        "rating": current_rating(inst),
        "inspections": inst.inspections.order_by("-planned_on", "-pk")[:20],
        "subsidies": inst.subsidies.order_by("-month")[:12],
        "account": account_masked(account),
        "is_operator": access.is_operator(request.user),
        "can_register": access.can_register(request.user),
        "can_supervise": access.can_supervise(request.user),
        "admit_form": AdmitForm(),
        "account_form": AccountForm(),
    }
    return render(request, "institutions/detail.html", context)


def _export_residents(request: HttpRequest, inst: Institution, qs: Any) -> HttpResponse:
    cols = ["姓名（脱敏）", "公民身份号码（脱敏）", "照护等级", "入住方式", "床位号", "入住日期"]
    data = [
        [r["name"], r["id_number"], r["level"], r["supply"], r["bed_no"], r["admitted_on"]]
        for r in selectors.resident_rows(qs)
    ]
    services.exported(actor=request.user, what=f"{inst.name}入住老人名册", rows=len(data), client_ip=client_ip(request))
    name = f"{inst.name}-入住老人-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(xlsx_bytes([Sheet("入住老人", cols, data)]), name)


def _data_from(form: InstitutionForm) -> services.InstitutionData:
    d = form.cleaned_data
    return services.InstitutionData(
        code=d["code"], name=d["name"], kind=d["kind"], operator=d["operator"], division_code=d["division_code"],
        filing_no=d["filing_no"], licence_no=d["licence_no"], credit_code=d["credit_code"], address=d["address"],
        phone=d["phone"], lat=d["lat"], lng=d["lng"], beds=form.beds(), medical=d["medical"], opened_on=d["opened_on"],
    )  # fmt: skip


@role_required(access.can_register)
def institution_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    inst = access.access_institution(request.user, pk) if pk else None
    initial: dict[str, Any] = {}
    if inst is not None:
        initial = {f: getattr(inst, f) for f in ("code", "name", "kind", "operator", "filing_no", "licence_no",
                                                  "credit_code", "division_code", "address", "phone", "lat", "lng",
                                                  "medical", "opened_on")}  # fmt: skip
        initial |= {f"beds_{k}": v for k, v in inst.beds.items()}
    form = InstitutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _data_from(form)
        if not data.division_code.startswith(request.user.jurisdiction):  # type: ignore[union-attr]
            form.add_error("division_code", "所在区划不在您的管辖范围内")
        else:
            try:
                saved = services.institution_save(data, actor=request.user, instance=inst, client_ip=client_ip(request))  # type: ignore[arg-type]
            except services.InstitutionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已保存养老机构信息")
                return redirect("institutions:detail", pk=saved.pk)
    title = "登记养老机构（备案）" if inst is None else f"修改 {inst.name}"
    return render(request, "institutions/form.html", {"form": form, "title": title, "inst": inst})


@require_POST
@role_required(access.can_register)
def account_set(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            services.institution_account_set(inst, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, "已登记机构对公账户（集中供养特困人员的供养金付入此账户）")
        except services.InstitutionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("institutions:detail", pk=inst.pk)


@role_required(access.is_operator)
def admit(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk, write=True)
    form = AdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip = client_ip(request)
        refused = number_lookup(actor=request.user, number=d["id_number"], purpose="机构入住", client_ip=ip)  # type: ignore[arg-type]
        person = None if refused else Person.objects.filter(id_number=d["id_number"]).first()
        if refused:
            form.add_error("id_number", refused)
        elif (
            person is None
            or not Person.objects.filter(prefix_q("division_code", inst.division_code[:6]), pk=person.pk).exists()
        ):
            form.add_error("id_number", "老人公民身份号码：本县户籍中没有此人")
        else:
            data = services.Admission(
                person=person, admitted_on=d["admitted_on"], supply=d["supply"],
                care_level=int(d["care_level"]) if d["care_level"] else None,
                level_assessed_on=d["level_assessed_on"], agreement_no=d["agreement_no"], bed_no=d["bed_no"],
            )  # fmt: skip
            try:
                services.admit(inst, data, actor=request.user, client_ip=ip)  # type: ignore[arg-type]
            except services.InstitutionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已办理入住")
                return redirect("institutions:detail", pk=inst.pk)
    return render(request, "institutions/form.html", {"form": form, "title": f"{inst.name} 办理入住", "inst": inst})


@role_required(access.can_read)
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.access_resident(request.user, pk)
    services.resident_read(row, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    writable = access.is_operator(request.user) and row.discharged_on is None
    discharge_form, level_form = DischargeForm(), LevelForm()
    if request.method == "POST" and writable:
        action = request.POST.get("action")
        discharge_form = DischargeForm(request.POST) if action == "discharge" else discharge_form
        level_form = LevelForm(request.POST) if action == "level" else level_form
        try:
            if action == "discharge" and discharge_form.is_valid():
                d = discharge_form.cleaned_data
                services.discharge(
                    row,
                    on=d["on"],
                    reason=d["reason"],
                    note=d["note"],
                    actor=request.user,
                    client_ip=client_ip(request),
                )  # type: ignore[arg-type]
                messages.success(request, "已办理离院")
                return redirect("institutions:detail", pk=row.institution_id)
            if action == "level" and level_form.is_valid():
                d = level_form.cleaned_data
                services.level_set(
                    row,
                    level=int(d["level"]),
                    assessed_on=d["assessed_on"],
                    actor=request.user,
                    client_ip=client_ip(request),
                )  # type: ignore[arg-type]
                messages.success(request, "已更新照护等级")
                return redirect("institutions:resident", pk=row.pk)
        except services.InstitutionError as exc:
            messages.error(request, str(exc))
    context = {"row": row, "masked": selectors.resident_rows([row])[0], "writable": writable,
               "discharge_form": discharge_form, "level_form": level_form}  # fmt: skip
    return render(request, "institutions/resident.html", context)
