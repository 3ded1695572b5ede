"""Each department's task inbox (协办部门, 殡仪馆, 乡镇民政办): its own items in its jurisdiction, one task
page with what the department needs to act (the person in full, audited), and the steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.lifeevents import access, selectors, services_proofs
from minzheng.lifeevents.forms import StepForm
from minzheng.lifeevents.services_tasks import TASK_LABELS, TaskError, may_act, may_resupply, task_step
from minzheng.workflow.services import history


@role_required(access.can_work_tasks)
def inbox(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "open")
    tab = tab if tab in ("open", "closed") else "open"
    event = request.GET.get("event", "")
    rows = selectors.task_rows(request.user, tab=tab, event=int(event) if event.isdigit() else None)
    user: Any = request.user
    title = {"department_staff": user.unit, "funeral_officer": "殡仪馆", "town_officer": "乡镇民政办"}.get(user.role)
    from minzheng.lifeevents.models import Department

    dep = Department.objects.filter(code=user.unit).first() if user.role == "department_staff" else None
    context = {"rows": rows, "tab": tab, "department": dep.name if dep else title or "", "event": event}
    return render(request, "lifeevents/inbox.html", context)


@role_required(access.can_work_tasks)
def task_step_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.access_task(request.user, pk)
    if request.method == "POST":
        form = StepForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择办理操作")
            return redirect("lifeevents:task", pk=task.pk)
        d = form.cleaned_data
        try:
            task_step(
                task,
                d["action"],
                actor=request.user,
                reply=d["reply"],
                reply_ref=d["reply_ref"],  # type: ignore[arg-type]
                client_ip=client_ip(request),
            )
        except (TaskError, ValueError) as exc:
            messages.error(request, str(exc))
            return redirect("lifeevents:task", pk=task.pk)
        messages.success(request, f"「{task.label}」：{TASK_LABELS[task.status]}")
        return redirect(
            f"/lifeevents/inbox/?event={request.GET.get('back', '')}"
            if request.GET.get("back")
            else "/lifeevents/inbox/"
        )
    event = task.event
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="view",
            object_type="life_event",
            object_id=event.pk,
            client_ip=client_ip(request),
            summary=f"{task.department.name}查看「{task.label}」{event.case.case_no}",
        )
    proofs = event.case.materials.filter(key__in=[services_proofs.PREFIX + k for k in task.proofs]).order_by("pk")
    context = {
        "task": task,
        "event": event,
        "state": TASK_LABELS.get(task.status, task.status),
        "proofs": proofs,
        "may_act": may_act(request.user, task),
        "may_resupply": may_resupply(request.user, task),
        "history": history(task),
        "facts": _facts(event.facts),
    }
    return render(request, "lifeevents/task.html", context)


FACT_LABELS = {
    "died_on": "死亡日期",
    "death_place": "死亡地点",
    "funeral_home": "殡仪馆",
    "cremated_on": "火化日期",
    "cancelled_on": "户籍注销日期",
    "born_on": "出生日期",
    "child_name": "新生儿姓名",
    "child_sex": "新生儿性别",
    "birth_certificate_no": "出生医学证明编号",
    "registered_on": "结婚登记日期",
    "certificate_no": "结婚证字号",
    "has_pension": "领取养老金",
    "has_driving_licence": "持有驾驶证",
    "has_housing_fund": "有公积金账户",
    "is_veteran": "优抚对象",
    "has_property": "有不动产",
    "eco_burial": "节地生态安葬",
    "moves": "户口迁入配偶户",
    "birth_plan": "生育登记",
    "medical_family": "医保家庭共济",
    "mother_insured": "母亲参加生育保险",
}


def _facts(facts: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, value in facts.items():
        if key in FACT_LABELS:
            out.append((FACT_LABELS[key], "是" if value is True else str(value)))
    return out
