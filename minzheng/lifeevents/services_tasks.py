"""A department's work on its items: receive, finish with its reply, send back for a missing paper,
or mark 不涉及 with the reason. Only the item's department acts: a `department_staff` account whose
`unit` is the department's code, the funeral officer for the 殡仪馆, the town's office for 民政 items;
each within its jurisdiction. A department with no account on the platform yet answers on paper and
the town's window records its reply with the department's receipt number (代录, audited as such).
When the last item is final the case is 全部办结 and the family gets
its one notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.lifeevents.models import BenefitChange, LifeEvent, Task
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused

FAMILY_LINK_DAYS = 90  # the progress page stays readable this long after 全部办结 (as the care family link)
ACTIONS = {"accept": "accepted", "done": "done", "return": "returned", "resupply": "accepted", "na": "na"}


class TaskError(ValueError):
    """A task step refused with a Chinese reason."""


def department_online(task: Task) -> bool:
    """Whether the department has an active account covering the task (else the window records its reply)."""
    from minzheng.accounts.models import User

    staff = User.objects.filter(role="department_staff", unit=task.department.code, is_active=True)
    return any(task.division_code.startswith(u.jurisdiction) for u in staff.only("jurisdiction"))


def records_for_department(user: Any, task: Task) -> bool:
    """代录: a department not yet on the platform answers on paper; the town's window records it, with its number."""
    return bool(
        user.role == "town_officer" and task.department.role == "department_staff" and not department_online(task)
    )


def may_act(user: Any, task: Task) -> bool:
    dep = task.department
    if not (user.is_authenticated and user.is_active) or not task.division_code.startswith(user.jurisdiction):
        return False
    if dep.role == "department_staff":
        return bool(user.role == "department_staff" and user.unit == dep.code) or records_for_department(user, task)
    if dep.role == "town_officer":
        return bool(user.role in ("town_officer", "village_worker"))
    return bool(user.role == dep.role)


def may_resupply(user: Any, task: Task) -> bool:
    """补齐材料 is the window's (the family brings the paper there)."""
    return bool(
        user.is_authenticated
        and user.role in ("town_officer", "village_worker")
        and task.division_code.startswith(user.jurisdiction)
    )


@workflow.guard("lifeevent_task_done")
def _done_guard(task: Any, actor: Any, data: dict[str, Any]) -> str | None:
    """A 民政 payment item is done only when every benefit change of its programmes is settled."""
    from minzheng.lifeevents.catalogue import catalogue

    _, items = catalogue().items_for(task.event.kind, task.event.region or task.event.division_code)
    spec = next((i for i in items if i.key == task.item), None)
    if spec is None or not spec.benefits:
        return None
    waiting = task.event.benefit_changes.filter(status=BenefitChange.Status.PROPOSED, programme__in=spec.benefits)
    return f"还有 {waiting.count()} 项待遇变更待确认，请先确认（下次发放前）" if waiting.exists() else None


def task_step(
    task: Task, action: str, *, actor: Actor, reply: str = "", reply_ref: str = "", client_ip: str = ""
) -> Task:
    """One step on a task; the reply is the department's answer (required to finish, return or 不涉及)."""
    from minzheng.lifeevents.services import event_check_done

    if action not in ACTIONS:
        raise TaskError(f"未知的办理操作：{action}")
    allowed = may_resupply(actor, task) if action == "resupply" else may_act(actor, task)
    if not allowed:
        raise TaskError(f"「{task.label}」由{task.department.name}办理，您不能操作")
    if task.event.case.status != "processing":
        raise TaskError("该件尚未受理联办或已办结")
    on_paper = action in ("done", "na") and records_for_department(actor, task)
    if on_paper and not reply_ref.strip():
        raise TaskError(f"代录{task.department.name}的办理结果须填写其回执编号")
    with transaction.atomic():
        if action == "done" and task.item == "hukou_register":
            _child_register(task, reply_ref, actor)
        if action == "done" and task.item == "hukou_move":
            _person_move(task, actor)
        try:
            workflow.transition(task, ACTIONS[action], actor=actor, reason=reply, client_ip=client_ip)
        except TransitionRefused as exc:
            raise TaskError(str(exc)) from None
        if action in ("done", "return", "na"):
            Task.objects.filter(pk=task.pk).update(
                reply=reply.strip(), reply_ref=reply_ref.strip()[:64], replied_by=actor, replied_at=timezone.now()
            )
        task.refresh_from_db()
        audit_record(
            actor=actor,
            action="update",
            object_type="life_event",
            object_id=task.event_id,
            client_ip=client_ip,
            summary=f"{task.event.case.case_no} {task.department.name}「{task.label}」：{TASK_LABELS[ACTIONS[action]]}"
            + ("（窗口代录部门回执）" if on_paper else ""),
            reason=reply[:500],
        )
        event_check_done(task.event)
    return task


TASK_LABELS = {"pending": "待办理", "accepted": "办理中", "returned": "退回补充", "done": "已办结", "na": "不涉及"}


def _child_register(task: Task, id_number: str, actor: Actor) -> None:
    """户口登记 done: the police give the child's 公民身份号码; the child joins the mother's 户."""
    from minzheng.lifeevents.services_people import child_register

    child_register(task.event, id_number=id_number, actor=actor)


def _person_move(task: Task, actor: Actor) -> None:
    from minzheng.lifeevents.services_people import person_move

    person_move(task.event, actor=actor)


def family_notice(event: LifeEvent) -> bool:
    """The one notice when everything is done: to the family (SMS outbox), once; the window is told too."""
    from minzheng.core.masking import mask_name
    from minzheng.notifications.services import notify

    now = timezone.now()
    won = LifeEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(
        notified_at=now, token_expires_at=now + dt.timedelta(days=FAMILY_LINK_DAYS)
    )
    if not won:
        return False
    event.refresh_from_db()
    done = event.tasks.filter(status="done").count()
    text = (
        f"【民政】您申请的{event.get_kind_display()}（{event.case.case_no}）{done} 个事项已全部办结，"
        f"办理结果可在进度页查看。"
    )
    LifeEvent.objects.filter(pk=event.pk).update(notice_text=text)
    notify(
        kind="lifeevent_done",
        title=f"{event.case.case_no} {mask_name(event.person.name)} {event.get_kind_display()}已全部办结，已通知家属",
        fingerprint=f"lifedone:{event.pk}",
        role="town_officer",
        division_code=event.division_code,
        link=f"/lifeevents/{event.pk}/",
    )
    audit_record(
        actor=None,
        action="create",
        object_type="life_event",
        object_id=event.pk,
        summary=f"{event.case.case_no} 全部办结，通知家属（{event.reporter_phone[:3]}****{event.reporter_phone[-4:]}）",
    )
    return True


def departments_notify(event: LifeEvent) -> int:
    """Each department's staff whose jurisdiction covers the event hears once that it has items."""
    from minzheng.accounts.models import User
    from minzheng.core.masking import mask_name
    from minzheng.notifications.services import notify

    sent = 0
    pending = event.tasks.filter(status="pending").select_related("department")
    for dep in {t.department for t in pending}:
        count = sum(1 for t in pending if t.department_id == dep.pk)
        who = mask_name(event.person.name)
        title = f"【{dep.name}】{event.get_kind_display()} {event.case.case_no} {who}：{count} 项待办理"
        link = f"/lifeevents/inbox/?event={event.pk}"
        if dep.role != "department_staff":
            notify(
                kind="lifeevent_task",
                title=title,
                fingerprint=f"life:{event.pk}:{dep.code}",
                role=dep.role,
                division_code=event.division_code,
                link=link,
            )
            sent += 1
            continue
        for user in User.objects.filter(role=dep.role, unit=dep.code, is_active=True):
            if event.division_code.startswith(user.jurisdiction):
                notify(
                    kind="lifeevent_task",
                    title=title,
                    fingerprint=f"life:{event.pk}:{dep.code}:{user.pk}",
                    recipient=user,
                    link=link,
                )
                sent += 1
    return sent
