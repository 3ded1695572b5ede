"""Named guards and effects the case types' machines refer to (workflow kernel registries).

A guard answers None (go on) or a Chinese sentence saying what is missing. Guards may add
what they computed to `data`, which the history row keeps (the screening behind a decision).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from minzheng.cases.models import Case, Publicity
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import guard

MIN_VISITORS = 2  # 入户调查 by at least two people (民发〔2021〕57号 调查一章；条款号待核)
MIN_REVIEWERS = 5  # 民主评议 panel size: a local rule (村“两委”成员、党员和村民代表), system default [verify]


@guard("authorisation")
def _authorisation(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    if not case.authorisation_no.strip():
        return "尚未登记申请人签署的家庭经济状况核对授权书编号，不能开展调查核对（《社会救助暂行办法》第五十八条）"
    return None


@guard("application_signed")
def _application_signed(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    if not data.get("application_signed"):
        return "请先请申请人在申请书上签字，并勾选“申请人已签字”"
    return None


@guard("survey")
def _survey(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    survey = data.get("survey") or {}
    visitors = [str(v).strip() for v in survey.get("visitors") or [] if str(v).strip()]
    if not survey.get("visited_on"):
        return "请填写入户调查日期"
    if len(visitors) < MIN_VISITORS:
        return f"入户调查应由至少 {MIN_VISITORS} 名工作人员进行，请填写调查人员姓名"
    if not str(survey.get("findings") or "").strip():
        return "请填写入户调查情况"
    return None


@guard("democratic_review")
def _democratic_review(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    """民主评议 where the county requires it (parameter cases.<type>.democratic_review = 1)."""
    from minzheng.rules.params_db import resolve

    required = resolve(f"cases.{case.case_type}.democratic_review", case.division_code, timezone.localdate())
    if required is None or not int(required.value):
        return None
    review = data.get("democratic_review") or {}
    if not review.get("held_on") or not str(review.get("result") or "").strip():
        return "本县要求民主评议：请填写评议日期、参加人数和评议结果"
    if int(review.get("participants") or 0) < MIN_REVIEWERS:
        return f"民主评议参加人数不少于 {MIN_REVIEWERS} 人"
    return None


@guard("screening")
def _screening(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    """Ask the rules engine again for this stage; the answer goes into the case and the history."""
    from minzheng.cases.decision import screen

    data.setdefault("screening", screen(case))
    return None


@guard("override")
def _override(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    """Deciding against the engine (or where it could not decide) needs a written reason."""
    screening = data.get("screening") or {}
    from minzheng.cases.casetypes import case_type

    approving = case_type(case.case_type).decision_of(str(data.get("target"))) is True
    engine = screening.get("eligible")
    if engine is approving:
        return None
    if str(data.get("override_reason") or "").strip():
        return None
    if engine is None:
        missing = "、".join(screening.get("missing") or []) or "部分数据"
        return f"规则判定为“待核对”（缺少：{missing}），须填写作出本决定的书面理由"
    said = "符合" if engine else "不符合"
    return f"规则判定为“{said}”，与本决定不一致，须填写书面理由"


@guard("confirm_level")
def _confirm_level(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.cases.casetypes import case_type

    role = getattr(actor, "role", "")
    if role == "county_approver":
        return None
    if role == "town_officer" and case_type(case.case_type).confirm_by_town(case.division_code, timezone.localdate()):
        return None
    return "本县未授权乡镇（街道）审核确认，须由县级审批人员办理"


@guard("publicity_over")
def _publicity_over(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    if case.status == "reviewed":
        # Only 临时救助 allows confirming straight after review, and only once relief was given first.
        relieved = TransitionLog.objects.filter(object_type="case", object_id=str(case.pk), target="relieved")
        return None if relieved.exists() else "须先公示，公示期满后才能审核确认"
    publicity = Publicity.objects.filter(case=case).first()
    if publicity is None:
        return "尚未公示"
    today = timezone.localdate()
    if today <= publicity.ends_on:
        return f"公示期至 {publicity.ends_on}，期满后才能审核确认"
    open_objections = publicity.objections.filter(answered_on__isnull=True).count()
    if open_objections:
        return f"公示期间有 {open_objections} 条异议尚未答复"
    return None
