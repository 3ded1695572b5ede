"""The materials a filing needs (data/materials.yaml), ticked at the window and optionally scanned.

A filing is accepted only when every required material is ticked (guard `socialorgs.materials_complete`
on 受理, machines/filing.yaml); a directly registered organisation (no 业务主管单位) needs no approval
document. Scans go through the documents kernel (checked by content, stored once, audited).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.documents.models import Attachment
from minzheng.documents.services import attachment_store
from minzheng.socialorgs.models import Filing
from minzheng.socialorgs.services import SocialOrgError
from minzheng.workflow.services import guard


@cache
def _table() -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load((Path(__file__).parent / "data" / "materials.yaml").read_text(encoding="utf-8"))


def required(filing: Filing) -> list[dict[str, str]]:
    direct = not filing.org.supervisor
    return [m for m in _table()[filing.type] if not (m.get("unless") == "direct" and direct)]


def checklist(filing: Filing) -> list[dict[str, Any]]:
    scans = Attachment.objects.filter(owner_type="socialorg_filing", owner_id=str(filing.pk))
    by_kind: dict[str, list[Attachment]] = {}
    for a in scans:
        by_kind.setdefault(a.kind, []).append(a)
    return [
        {**m, "received": m["key"] in filing.materials, "scans": by_kind.get(m["key"], [])} for m in required(filing)
    ]


@guard("socialorgs.materials_complete")
def _complete(filing: Filing, actor: Any, data: dict[str, Any]) -> str | None:
    missing = [m["label"] for m in required(filing) if m["key"] not in filing.materials]
    return f"申请材料未收齐，不能受理：缺少{'、'.join(missing)}" if missing else None


def materials_tick(filing: Filing, keys: list[str], *, actor: Actor, client_ip: str = "") -> Filing:
    """Record which materials were received (the whole list, as ticked at the window)."""
    known = {m["key"] for m in required(filing)}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise SocialOrgError(f"不是本事项的申请材料：{'、'.join(unknown)}")
    if filing.status != "received":
        raise SocialOrgError("已受理或已办结的事项不能再修改收件材料")
    with transaction.atomic():
        Filing.objects.filter(pk=filing.pk).update(materials=sorted(keys))
        filing.materials = sorted(keys)
        labels = [m["label"] for m in required(filing) if m["key"] in keys]
        audit_record(
            actor=actor,
            action="update",
            object_type="socialorg_filing",
            object_id=filing.pk,
            summary=f"核对收件材料：{'、'.join(labels) or '无'}",
            client_ip=client_ip,
        )
    return filing


def material_scan(
    filing: Filing, key: str, stream: BinaryIO, *, filename: str, actor: Actor, client_ip: str = ""
) -> Attachment:
    if key not in {m["key"] for m in required(filing)}:
        raise SocialOrgError("请选择扫描件对应的申请材料")
    return attachment_store(
        stream, filename=filename, owner_type="socialorg_filing", owner_id=filing.pk, kind=key, actor=actor,
        client_ip=client_ip,
    )  # fmt: skip
