"""Attachments: checked by content, stored once per content, read back audited and verified."""

from __future__ import annotations

import io

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.documents.services import AttachmentError, attachment_read, attachment_store, path_of

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_content_decides_the_type_not_the_name() -> None:
    with pytest.raises(AttachmentError, match="按文件内容识别"):
        attachment_store(
            io.BytesIO(b"MZ\x90\x00 evil"), filename="photo.jpg", owner_type="case", owner_id=1, kind="x", actor=None
        )
    a = attachment_store(
        io.BytesIO(PNG), filename="report.pdf", owner_type="case", owner_id=1, kind="visit_photo", actor=None
    )
    assert a.content_type == "image/png"


def test_same_content_is_stored_once_and_tampering_is_detected() -> None:
    a = attachment_store(io.BytesIO(PNG), filename="a.png", owner_type="case", owner_id=1, kind="p", actor=None)
    b = attachment_store(io.BytesIO(PNG), filename="b.png", owner_type="case", owner_id=2, kind="p", actor=None)
    assert a.sha256 == b.sha256 and path_of(a.sha256).read_bytes() == PNG
    assert attachment_read(a, actor=None) == PNG
    assert AuditEvent.objects.filter(summary__startswith="查看附件").count() == 1
    path_of(a.sha256).write_bytes(PNG + b"x")
    with pytest.raises(AttachmentError, match="篡改"):
        attachment_read(a, actor=None)
