"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from minzheng.api.auth import TokenAuth
from minzheng.api.registry import router as registry_router

api = NinjaAPI(
    title="民政业务平台接口",
    version="1",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    description="所有接口需在请求头携带 `Authorization: Bearer 令牌`；数据按账号管辖范围过滤并记入审计日志。",
)
api.add_router("/", registry_router)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "未提供有效的令牌"}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Same answer for "elsewhere" and "nowhere": nothing leaks outside the jurisdiction.
    return api.create_response(request, {"detail": "未找到，或不在您的管辖范围内"}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请求参数有误", "errors": exc.errors}, status=422)
