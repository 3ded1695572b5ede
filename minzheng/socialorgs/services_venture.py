"""公益创投: call → applications from registered organisations → several reviewers' scores → award →
instalments (four eyes) → mid-term and final evaluation → round closed.

The award ranks applications by their mean score (at least the parameter's number of reviewers, and at
least the minimum mean) and funds them in that order, each at most the round's cap and its request,
until the budget is spent. Instalments are planned at the award (60% at once, the rest after a passed
mid-term evaluation) and each is approved by someone other than who planned it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.socialorgs import params
from minzheng.socialorgs.flow import workflow
from minzheng.socialorgs.models import Organisation
from minzheng.socialorgs.models_venture import Application, Evaluation, Instalment, Round, Score
from minzheng.socialorgs.services import SocialOrgError, _check_division

FIRST_SHARE_PERCENT = 60  # 首期拨付比例：系统默认，余款中期评估合格后拨付（地方可调）


def _audit(actor: Actor, action: str, obj: Any, object_type: str, summary: str, client_ip: str = "") -> None:
    audit_record(
        actor=actor, action=action, object_type=object_type, object_id=obj.pk, summary=summary, client_ip=client_ip
    )


@dataclass
class Call:
    name: str
    year: int
    budget_fen: int
    max_award_fen: int
    call_until: dt.date
    theme: str = ""


def round_create(data: Call, *, actor: Actor, client_ip: str = "") -> Round:
    if not data.name.strip():
        raise SocialOrgError("请填写创投活动名称")
    if data.budget_fen <= 0 or not 0 < data.max_award_fen <= data.budget_fen:
        raise SocialOrgError("资助总额应大于 0，单个项目上限不超过资助总额")
    if data.call_until < timezone.localdate():
        raise SocialOrgError(f"申报截止日期 {data.call_until} 早于今天")
    with transaction.atomic():
        rnd = Round.objects.create(
            name=data.name.strip(),
            year=data.year,
            division_code=actor.jurisdiction,
            budget_fen=data.budget_fen,
            max_award_fen=data.max_award_fen,
            call_until=data.call_until,
            theme=data.theme.strip(),
        )
        workflow.start(rnd, actor=actor, client_ip=client_ip)
        _audit(actor, "create", rnd, "venture_round", f"发布公益创投：{rnd.name}", client_ip)
    return rnd


def apply(
    rnd: Round,
    org: Organisation,
    *,
    title: str,
    summary: str,
    requested_fen: int,
    division_code: str,
    actor: Actor,
    client_ip: str = "",
) -> Application:
    """An organisation on the register (not 活动异常) applies while the call is open."""
    today = timezone.localdate()
    if rnd.status != "call" or today > rnd.call_until:
        raise SocialOrgError(f"“{rnd.name}”已截止申报（{rnd.call_until}）")
    if org.status != "registered":
        raise SocialOrgError(f"{org.name} 不在正常登记状态（活动异常名录内或未登记），不能申报公益创投")
    if not org.division_code.startswith(rnd.division_code):
        raise SocialOrgError(f"{org.name} 不在本次创投的地域范围内")
    if not (title.strip() and summary.strip()):
        raise SocialOrgError("请填写项目名称和项目内容")
    if not 0 < requested_fen <= rnd.max_award_fen:
        raise SocialOrgError(f"申请金额应大于 0 且不超过单个项目上限 {rnd.max_award_fen / 100:,.2f} 元")
    _check_division(division_code, rnd.division_code)
    if Application.objects.filter(round=rnd, org=org, title=title.strip()).exists():
        raise SocialOrgError(f"项目“{title.strip()}”已申报")
    with transaction.atomic():
        app = Application.objects.create(
            round=rnd,
            org=org,
            division_code=division_code,
            title=title.strip(),
            summary=summary.strip(),
            requested_fen=requested_fen,
            submitted_on=today,
            created_by=actor,
        )
        _audit(actor, "create", app, "venture_application", f"申报公益创投：{org.name}《{app.title}》", client_ip)
    return app


def withdraw(app: Application, *, actor: Actor, client_ip: str = "") -> Application:
    with transaction.atomic():
        won = Application.objects.filter(pk=app.pk, status=Application.Status.SUBMITTED).update(status="withdrawn")
        if won != 1:
            raise SocialOrgError("该项目已进入评审结果，不能撤回")
        app.status = Application.Status.WITHDRAWN
        _audit(actor, "update", app, "venture_application", f"撤回申报：《{app.title}》", client_ip)
    return app


def score(
    app: Application, *, value: int, expert: str = "", comment: str = "", actor: Actor, client_ip: str = ""
) -> Score:
    """One expert's score out of 100, each expert once per application; an outside expert's sheet is entered
    by the officer under the expert's name (default: the officer scores as an expert)."""
    expert = (expert or actor.display_name or actor.username).strip()[:64]
    if app.round.status != "review":
        raise SocialOrgError("创投活动不在评审阶段")
    if app.status != Application.Status.SUBMITTED:
        raise SocialOrgError("该项目不在评审范围（已撤回或已有结果）")
    if not 0 <= value <= 100:
        raise SocialOrgError("评分应在 0 至 100 之间")
    if Score.objects.filter(application=app, expert=expert).exists():
        raise SocialOrgError(f"评审专家 {expert} 已为该项目评分，不能重复评分")
    with transaction.atomic():
        row = Score.objects.create(
            application=app, expert=expert, reviewer=actor, score=value, comment=comment.strip()[:300]
        )
        _audit(actor, "create", app, "venture_application", f"评审评分：《{app.title}》{expert} {value} 分", client_ip)
    return row


def ranking(rnd: Round) -> list[tuple[Application, float | None, int]]:
    """Submitted applications with their mean score and number of reviewers, best first."""
    apps = rnd.applications.exclude(status="withdrawn").annotate(mean=Avg("scores__score"), n=Count("scores"))
    rows = [(a, float(a.mean) if a.mean is not None else None, int(a.n)) for a in apps]
    return sorted(rows, key=lambda r: (-(r[1] or -1), r[0].submitted_on, r[0].pk))


@workflow.guard("socialorgs.round_reviewed")
def _reviewed(rnd: Round, actor: Any, data: dict[str, Any]) -> str | None:
    need = params.value(params.MIN_REVIEWERS, rnd.division_code, timezone.localdate())
    short = [a.title for a, _, n in ranking(rnd) if a.status == "submitted" and n < need]
    return f"以下项目评审人数不足 {need} 人：{'、'.join(short)}" if short else None


@workflow.guard("socialorgs.round_evaluated")
def _evaluated(rnd: Round, actor: Any, data: dict[str, Any]) -> str | None:
    left = rnd.applications.filter(status="awarded").exclude(evaluations__stage="final")
    names = "、".join(a.title for a in left)
    return f"以下立项项目尚未结项评估：{names}" if names else None


@workflow.guard("socialorgs.midterm_passed")
def _midterm(inst: Instalment, actor: Any, data: dict[str, Any]) -> str | None:
    if not inst.after_midterm:
        return None
    ok = Evaluation.objects.filter(application_id=inst.application_id, stage="midterm", passed=True).exists()
    return None if ok else "第二期及以后的资金须在中期评估合格后拨付"


def round_close_call(rnd: Round, *, actor: Actor, client_ip: str = "") -> Round:
    workflow.transition(rnd, "review", actor=actor, client_ip=client_ip)
    return rnd


def round_award(rnd: Round, *, actor: Actor, client_ip: str = "") -> list[Application]:
    """公布立项: fund the best applications within the budget; plan each one's instalments."""
    today = timezone.localdate()
    floor = params.value(params.MIN_AWARD, rnd.division_code, today)
    left = rnd.budget_fen
    awarded: list[Application] = []
    with transaction.atomic():
        workflow.transition(rnd, "running", actor=actor, client_ip=client_ip)
        for app, mean, _ in ranking(rnd):
            amount = min(app.requested_fen, rnd.max_award_fen, left)
            if mean is None or mean < floor or amount <= 0:
                Application.objects.filter(pk=app.pk).update(status="not_awarded")
                continue
            Application.objects.filter(pk=app.pk).update(status="awarded", awarded_fen=amount)
            app.status, app.awarded_fen = Application.Status.AWARDED, amount
            left -= amount
            _plan(app, actor=actor, client_ip=client_ip)
            awarded.append(app)
        _audit(actor, "update", rnd, "venture_round", f"公布立项：{len(awarded)} 个项目", client_ip)
    return awarded


def _plan(app: Application, *, actor: Actor, client_ip: str) -> None:
    first = app.awarded_fen * FIRST_SHARE_PERCENT // 100
    for seq, amount in ((1, first), (2, app.awarded_fen - first)):
        inst = Instalment.objects.create(
            application=app, seq=seq, amount_fen=amount, division_code=app.division_code, after_midterm=seq > 1
        )
        workflow.start(inst, actor=actor, client_ip=client_ip)


def instalment_approve(inst: Instalment, *, actor: Actor, client_ip: str = "") -> Instalment:
    workflow.transition(inst, "approved", actor=actor, client_ip=client_ip)
    return inst


def instalment_pay(inst: Instalment, *, voucher: str, on: dt.date, actor: Actor, client_ip: str = "") -> Instalment:
    if not voucher.strip():
        raise SocialOrgError("请填写拨付凭证号")
    changes = {"paid_on": on, "voucher": voucher.strip()}
    workflow.transition(inst, "paid", actor=actor, on=on, changes=changes, client_ip=client_ip)
    return inst


def evaluate(
    app: Application, *, stage: str, value: int, note: str = "", on: dt.date, actor: Actor, client_ip: str = ""
) -> Evaluation:
    """中期 / 结项评估 (passed at 60 of 100); a failed final evaluation marks the project 验收不合格."""
    app.refresh_from_db(fields=["status"])  # the award updates rows, not the caller's copy
    if app.status != Application.Status.AWARDED:
        raise SocialOrgError("只有已立项、未结项的项目可以评估")
    if stage not in Evaluation.Stage.values or not 0 <= value <= 100:
        raise SocialOrgError("请选择评估阶段并填写 0 至 100 的得分")
    if stage == "final" and not app.evaluations.filter(stage="midterm").exists():
        raise SocialOrgError("请先完成中期评估")
    if app.evaluations.filter(stage=stage).exists():
        raise SocialOrgError(f"该项目已有{Evaluation.Stage(stage).label}")
    passed = value >= params.value(params.MIN_AWARD, app.division_code, on)
    with transaction.atomic():
        ev = Evaluation.objects.create(
            application=app, stage=stage, score=value, passed=passed, on=on, note=note, by=actor
        )
        if stage == "final":
            Application.objects.filter(pk=app.pk).update(status="closed" if passed else "failed")
        label = Evaluation.Stage(stage).label
        _audit(actor, "create", app, "venture_application", f"{label}：《{app.title}》{value} 分", client_ip)
    return ev


def round_close(rnd: Round, *, actor: Actor, client_ip: str = "") -> Round:
    workflow.transition(rnd, "closed", actor=actor, client_ip=client_ip)
    return rnd
