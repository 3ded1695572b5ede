"""人民调解 pages: committees and their mediators, cases (masked list), one case (audited read) and its steps."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_id_number, mask_phone
from minzheng.governance import access, forms, selectors
from minzheng.governance import services_mediation as svc
from minzheng.governance.models import Committee, MediationCase
from minzheng.governance.services import MEDIATION_MACHINE, read_recorded
from minzheng.governance.views_common import form_page, post_step
from minzheng.workflow.services import history

STEPS: dict[str, dict[str, Any]] = {
    "received": {"agree": forms.AgreeForm, "fail": forms.FailForm},
    "agreed": {"followup": forms.FollowUpForm, "fail": forms.FailForm},
}
TITLES = {"agree": "达成调解协议", "fail": "调解不成或未履行终止", "followup": "履行回访（已履行即结案）"}


@role_required(access.can_read)
def mediation_home(request: HttpRequest) -> HttpResponse:
    committees = access.visible(request.user, Committee).prefetch_related("mediators").order_by("division_code")
    context = {
        "committees": committees,
        "rows": selectors.case_rows(request.user, request.GET.get("show", "open")),
        "show": request.GET.get("show", "open"),
        "writable": access.can_work(request.user),
        "mediator_form": forms.MediatorForm(),
    }
    return render(request, "governance/mediation.html", context)


@role_required(access.can_work)
def committee_new(request: HttpRequest) -> HttpResponse:
    form = forms.CommitteeForm(request.POST or None, user=request.user)

    def run(d: dict[str, Any], ip: str) -> Committee:
        return svc.committee_create(**d, actor=request.user, client_ip=ip)  # type: ignore[arg-type]

    return form_page(request, form, "登记人民调解委员会", run, lambda _: "/governance/mediation/")


@require_POST
@role_required(access.can_work)
def mediator_add(request: HttpRequest, pk: int) -> HttpResponse:
    committee = access.access(request.user, Committee, pk, write=True)
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Any:
        return svc.mediator_add(committee, **d, actor=user, client_ip=ip)

    return post_step(request, forms.MediatorForm(request.POST), run, "/governance/mediation/", "已增加调解员")


@role_required(access.can_work)
def case_new(request: HttpRequest) -> HttpResponse:
    committees = access.visible(request.user, Committee)
    form = forms.CaseForm(request.POST or None, user=request.user, committees=committees)

    def run(d: dict[str, Any], ip: str) -> MediationCase:
        parties = [
            svc.PartyIn("applicant", d["applicant"], d["applicant_id"]),
            svc.PartyIn("respondent", d["respondent"], d["respondent_id"]),
        ]
        committee = d["committee"]
        return svc.case_open(
            committee, division_code=d["division_code"], type=d["type"], facts=d["facts"], received_on=d["received_on"],
            parties=parties, mediators=list(committee.mediators.filter(active=True)[:2]), actor=request.user,
            client_ip=ip,
        )  # fmt: skip

    return form_page(request, form, "受理调解", run, lambda c: f"/governance/mediation/cases/{c.pk}/")


@role_required(access.can_read)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.access(request.user, MediationCase, pk)
    read_recorded(request.user, "gov_mediation", case.pk, f"查看调解案件 {case.number}（含当事人）", client_ip(request))
    parties = [
        {"p": p, "id": mask_id_number(p.id_number) if p.id_number else "", "phone": mask_phone(p.phone)}
        for p in case.parties.order_by("side", "pk")
    ]
    steps = STEPS.get(case.status, {}) if access.can_work(request.user) else {}
    context = {
        "c": case,
        "state": MEDIATION_MACHINE.state_label(case.status),
        "parties": parties,
        "mediators": case.mediators.all(),
        "followups": case.followups.all(),
        "history": history(case),
        "steps": [(key, TITLES[key], cls()) for key, cls in steps.items()],
    }
    return render(request, "governance/case.html", context)


@require_POST
@role_required(access.can_work)
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    case = access.access(request.user, MediationCase, pk, write=True)
    cls = STEPS.get(case.status, {}).get(step)
    if cls is None:
        raise Http404("该环节不可办理")
    user = request.user
    runs = {
        "agree": lambda d, ip: svc.case_agree(
            case,
            agreement=d["agreement"],
            perform_by=d["perform_by"],
            judicial_confirmation=d["judicial_confirmation"],
            actor=user,
            client_ip=ip,
        ),
        "fail": lambda d, ip: svc.case_fail(case, reason=d["reason"], actor=user, client_ip=ip),
        "followup": lambda d, ip: svc.followup_add(
            case, on=d["on"], fulfilled=d["fulfilled"], note=d["note"], actor=user, client_ip=ip
        ),
    }
    back = f"/governance/mediation/cases/{case.pk}/"
    return post_step(request, cls(request.POST), runs[step], back, f"{TITLES[step]}：已办理")
