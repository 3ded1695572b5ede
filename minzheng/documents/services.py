"""Store an uploaded file by content, checked by its bytes; read it back audited."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.documents.models import Attachment

# Magic numbers of the formats offices exchange as attachments; anything else is refused.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG 图片"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG 图片"),
    (b"%PDF-", "application/pdf", "PDF 文件"),
)
MAX_BYTES = 20 * 1024 * 1024


class AttachmentError(ValueError):
    """Refused with a Chinese reason."""


def sniff(head: bytes) -> str:
    for magic, content_type, _ in SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise AttachmentError("只接受 JPEG、PNG 图片或 PDF 文件（按文件内容识别，与扩展名无关）")


def store_root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def path_of(sha256: str) -> Path:
    return store_root() / sha256[:2] / sha256


def attachment_store(
    stream: BinaryIO,
    *,
    filename: str,
    owner_type: str,
    owner_id: str | int,
    kind: str,
    actor: Actor,
    retain_days: int | None = None,
    client_ip: str = "",
) -> Attachment:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AttachmentError(f"附件超过 {MAX_BYTES // 1024 // 1024} MB")
    content_type = sniff(data[:16])
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest)
    if not target.exists():  # same content, one file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            owner_type=owner_type,
            owner_id=str(owner_id),
            kind=kind,
            filename=Path(filename).name[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            retain_days=retain_days,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type=owner_type,
            object_id=owner_id,
            summary=f"上传附件 {attachment.filename}（{content_type}，{len(data)} 字节）",
            client_ip=client_ip,
            data={"attachment": attachment.pk, "sha256": digest},
        )
    return attachment


def attachment_read(attachment: Attachment, *, actor: Actor, client_ip: str = "") -> bytes:
    """The bytes, after checking they are still what was stored; every read is audited."""
    data = path_of(attachment.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise AttachmentError("附件内容与登记的摘要不一致，可能已被篡改")
    audit_record(
        actor=actor,
        action="view",
        object_type=attachment.owner_type,
        object_id=attachment.owner_id,
        summary=f"查看附件 {attachment.filename}",
        client_ip=client_ip,
        data={"attachment": attachment.pk},
    )
    return data
