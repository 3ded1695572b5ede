"""The upload size cap (settings.MINZHENG_MAX_UPLOAD_MB) on every page and the API.

The middleware refuses a request whose declared body is over the cap before anything parses it
(Django would otherwise spool the whole file to disk first); the upload views check each file's
size as well, for a body sent without a length. Pages get a Chinese page, /api/ a JSON answer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

# Form fields and multipart boundaries around the file: a body this much over the cap is still fine.
SLACK_BYTES = 1 << 20


def max_upload_bytes() -> int:
    return int(settings.MINZHENG_MAX_UPLOAD_MB) << 20


def too_large_message(size: int) -> str:
    return (
        f"上传的文件为 {size / (1 << 20):,.1f} MB，超过上限 {settings.MINZHENG_MAX_UPLOAD_MB} MB；"
        "请拆分成几个较小的文件分别上传（上限由 MINZHENG_MAX_UPLOAD_MB 设置）"
    )


def upload_too_large(upload: UploadedFile) -> str | None:
    """The Chinese reason when this uploaded file is over the cap, else None."""
    size = upload.size or 0
    return too_large_message(size) if size > max_upload_bytes() else None


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + SLACK_BYTES:
            return _refuse(request, too_large_message(length))
        return self.get_response(request)


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    back = escape(request.path)
    html = (
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>文件过大</title></head>'
        f'<body><h1>文件过大</h1><p role="alert">{escape(message)}</p><p><a href="{back}">返回</a></p></body></html>'
    )
    return HttpResponse(html, status=413, content_type="text/html; charset=utf-8")
