"""双随机一公开: a reproducible, audited draw of organisations and inspectors (民发〔2017〕45号).

`pick()` is pure: the same seed, pools, ratio and inspectors per organisation give the same result on
any machine (Python's `random.Random` is MT19937, its algorithm fixed across versions for integer
seeds and `sample`). The service saves the seed, both pool snapshots and the result in one
compare-and-set UPDATE before anyone sees them, so a batch is drawn once; `replay()` recomputes it.
"""

from __future__ import annotations

import math
import random
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.socialorgs import params
from minzheng.socialorgs.models import DrawBatch, Inspection, Inspector
from minzheng.socialorgs.selectors import registered_orgs
from minzheng.socialorgs.services import SocialOrgError

ALGORITHM = "random.Random(MT19937).sample v1；名录按统一社会信用代码、执法证号排序"


def pick(seed: str, orgs: list[dict[str, Any]], inspectors: list[dict[str, Any]], ratio: int, per_org: int) -> list:
    """The drawn organisations (at least one, `ratio`‰ of the pool rounded up), each with `per_org` inspectors
    who need not avoid it. Raises SocialOrgError when an organisation cannot get enough inspectors."""
    # Not for secrecy: the seed itself is cryptographic (secrets) and published; MT19937 makes it replayable.
    rng = random.Random(int(seed, 16))  # noqa: S311
    count = min(len(orgs), max(1, math.ceil(len(orgs) * ratio / 1000)))
    drawn = []
    for org in rng.sample(orgs, count):
        allowed = [i for i in inspectors if org["code"] not in i.get("avoid", [])]
        if len(allowed) < per_org:
            raise SocialOrgError(f"可派检查人员不足：{org['name']} 需要 {per_org} 名，回避后只有 {len(allowed)} 名")
        team = rng.sample(allowed, per_org)
        drawn.append(
            {**org, "inspectors": [{"id": i["id"], "name": i["name"], "certificate": i["certificate"]} for i in team]}
        )
    return drawn


def batch_create(
    *, name: str, year: int, actor: Actor, ratio_permille: int | None = None, client_ip: str = ""
) -> DrawBatch:
    """A batch of the officer's registering authority; a second batch of the same name is refused."""
    division = actor.jurisdiction
    today = timezone.localdate()
    ratio = ratio_permille or params.value(params.DRAW_RATIO, division, today)
    if not name.strip():
        raise SocialOrgError("请填写批次名称")
    if not 1 <= ratio <= 1000:
        raise SocialOrgError("抽查比例应在 0.1% 至 100% 之间")
    if DrawBatch.objects.filter(division_code=division, name=name.strip()).exists():
        raise SocialOrgError(f"抽查批次“{name.strip()}”已存在，不能重复建立")
    with transaction.atomic():
        batch = DrawBatch.objects.create(
            name=name.strip(),
            year=year,
            division_code=division,
            ratio_permille=ratio,
            inspectors_per_org=params.value(params.INSPECTORS, division, today),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="socialorg_draw",
            object_id=batch.pk,
            summary=f"建立双随机抽查批次：{batch.name}（比例 {ratio / 10:g}%）",
            client_ip=client_ip,
        )
    return batch


def _pools(batch: DrawBatch) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    orgs = [
        {"id": o.pk, "code": o.credit_code, "name": o.name}
        for o in registered_orgs(batch.division_code).exclude(credit_code="").order_by("credit_code")
    ]
    inspectors = [
        {"id": i.pk, "name": i.name, "certificate": i.certificate, "unit": i.unit, "avoid": list(i.avoid)}
        for i in Inspector.objects.filter(division_code=batch.division_code, active=True).order_by("certificate")
    ]
    return orgs, inspectors


def batch_draw(batch: DrawBatch, *, actor: Actor, client_ip: str = "") -> DrawBatch:
    """Draw once: seed, pools and result saved (compare-and-set on drawn_at) before the page shows them."""
    if batch.drawn_at is not None:
        raise SocialOrgError(
            f"批次“{batch.name}”已于 {timezone.localtime(batch.drawn_at):%Y-%m-%d %H:%M} 抽取，不能再次抽取"
        )
    orgs, inspectors = _pools(batch)
    if not orgs:
        raise SocialOrgError("检查对象名录为空：辖区内没有已登记的社会组织")
    seed = secrets.token_hex(16)
    drawn = pick(seed, orgs, inspectors, batch.ratio_permille, batch.inspectors_per_org)
    now = timezone.now()
    fields = {
        "seed": seed,
        "algorithm": ALGORITHM,
        "pool_orgs": orgs,
        "pool_inspectors": inspectors,
        "drawn": drawn,
        "drawn_at": now,
        "drawn_by": actor,
    }
    with transaction.atomic():
        won = DrawBatch.objects.filter(pk=batch.pk, drawn_at__isnull=True).update(**fields)
        if won != 1:
            raise SocialOrgError(f"批次“{batch.name}”已被抽取，不能再次抽取")
        Inspection.objects.bulk_create(
            Inspection(
                batch=batch,
                org_id=d["id"],
                division_code=batch.division_code,
                inspectors=d["inspectors"],
            )
            for d in drawn
        )
        audit_record(
            actor=actor,
            action="create",  # the draw result (seed, pools, drawn) is created once
            object_type="socialorg_draw",
            object_id=batch.pk,
            summary=f"双随机抽取：{batch.name}，名录 {len(orgs)} 家抽中 {len(drawn)} 家，检查人员 {len(inspectors)} 名",
            client_ip=client_ip,
            data={"seed": seed, "algorithm": ALGORITHM, "drawn": [d["code"] for d in drawn]},
        )
    batch.refresh_from_db()
    return batch


def replay(batch: DrawBatch) -> bool:
    """Recompute the draw from its saved seed and pools: True when it gives exactly the saved result."""
    if batch.drawn_at is None:
        return False
    again = pick(batch.seed, batch.pool_orgs, batch.pool_inspectors, batch.ratio_permille, batch.inspectors_per_org)
    return again == batch.drawn
