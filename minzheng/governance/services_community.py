"""Community building: 幸福社区 star ratings (criteria as data), 村(居)务公开 items, the 无证明村 list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.governance.models import NoProofItem, PublicItem, StarRating
from minzheng.governance.services import GovernanceError, division_checked, load_data, required, user_or_none


def criteria() -> dict[str, Any]:
    return dict(load_data("happy_community.yaml"))


def stars_for(total: int) -> int:
    return next((int(s["stars"]) for s in criteria()["stars"] if total >= int(s["min"])), 0)


def rating_record(
    *, division_code: str, year: int, scores: dict[str, int], note: str = "", actor: Actor, client_ip: str = ""
) -> StarRating:
    """One rating a year per community: every criterion scored within its maximum; the stars follow the total."""
    division = division_checked(actor, division_code, village=True)
    spec = {c["code"]: c for c in criteria()["criteria"]}
    missing = [spec[c]["label"] for c in spec if c not in scores]
    if missing:
        raise GovernanceError(f"请为每项指标打分：缺 {'、'.join(missing)}")
    for code, value in scores.items():
        if code not in spec:
            raise GovernanceError(f"未知的评定指标 {code}")
        if not 0 <= value <= int(spec[code]["max"]):
            raise GovernanceError(f"{spec[code]['label']}：得分应在 0 至 {spec[code]['max']} 之间")
    if StarRating.objects.filter(division_code=division.code, year=year).exists():
        raise GovernanceError(f"{division.name} {year} 年度已评定，不能重复评定")
    total = sum(scores.values())
    with transaction.atomic():
        rating = StarRating.objects.create(
            division_code=division.code, year=year, scores=scores, total=total, stars=stars_for(total),
            rated_on=timezone.localdate(), note=note.strip(), rated_by=user_or_none(actor),
        )  # fmt: skip
        audit_record(
            actor=actor, action="create", object_type="gov_rating", object_id=rating.pk,
            summary=f"{division.name} {year} 年幸福社区评定：{total} 分，{rating.stars} 星", client_ip=client_ip,
        )  # fmt: skip
    return rating


def public_item_add(
    *, division_code: str, category: str, title: str, body: str, published_on: dt.date | None = None,
    until: dt.date | None = None, amount_fen: int | None = None, actor: Actor, client_ip: str = "",
) -> PublicItem:  # fmt: skip
    division = division_checked(actor, division_code, village=True)
    if category not in PublicItem.Category.values:
        raise GovernanceError("类别：请选择党务、村（居）务、财务或服务公开")
    day = published_on or timezone.localdate()
    if until and until < day:
        raise GovernanceError(f"公开截止 {until} 早于公开日期 {day}")
    if amount_fen is not None and amount_fen < 0:
        raise GovernanceError("涉及金额不能为负")
    with transaction.atomic():
        item = PublicItem.objects.create(
            division_code=division.code, category=category, title=required(title, "标题"),
            body=required(body, "公开内容"), published_on=day, until=until, amount_fen=amount_fen,
            created_by=user_or_none(actor),
        )  # fmt: skip
        audit_record(
            actor=actor, action="create", object_type="gov_public", object_id=item.pk,
            summary=f"{division.name} {item.get_category_display()}：{item.title}", client_ip=client_ip,
        )  # fmt: skip
    return item


def noproof_add(
    *, division_code: str, certificate: str, replacement: str, replaced_by: str = "", basis: str = "",
    since: dt.date, actor: Actor, client_ip: str = "",
) -> NoProofItem:  # fmt: skip
    division = division_checked(actor, division_code)
    if replacement not in NoProofItem.Replacement.values:
        raise GovernanceError("替代方式：请选择数据共享核验、告知承诺、部门核查或直接取消")
    certificate = required(certificate, "证明名称")
    if NoProofItem.objects.filter(division_code=division.code, certificate=certificate).exists():
        raise GovernanceError(f"{division.name} 已登记不再出具“{certificate}”")
    with transaction.atomic():
        item = NoProofItem.objects.create(
            division_code=division.code, certificate=certificate, replacement=replacement,
            replaced_by=replaced_by.strip(), basis=basis.strip(), since=since,
        )  # fmt: skip
        audit_record(
            actor=actor, action="create", object_type="gov_noproof", object_id=item.pk,
            summary=f"{division.name} 不再出具“{certificate}”（{item.get_replacement_display()}）", client_ip=client_ip,
        )  # fmt: skip
    return item
