"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json, browsable at /api/v1/docs; both need a login).

Every error answers JSON with a Chinese `detail`, like the pages do.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from minzheng.api.auth import TokenAuth, TokenRefused, docs_login_required
from minzheng.api.registry import router as registry_router
from minzheng.cases.api import router as cases_router
from minzheng.emergency.api import router as emergency_router
from minzheng.workitems.api import router as workitems_router


class ChineseJSONRenderer(JSONRenderer):
    # Readable Chinese in curl output and logs; the body is UTF-8 either way.
    json_dumps_params: dict[str, Any] = {"ensure_ascii": False}


# Answers any operation can give besides its own: the description lists them so a client (and
# schemathesis, minzheng/api/tests/test_schema_fuzz.py) knows every status code it may meet.
ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}


def _common_answers(operation: dict[str, Any]) -> dict[int, str]:
    answers = {
        401: "未提供有效的令牌，或令牌已过期、已吊销",
        # Out of role answers like out of jurisdiction (accounts.access.require): nothing leaks existence.
        404: "未找到，或不在您的管辖范围内，或您的角色无权使用此接口",
    }
    if operation.get("parameters") or "requestBody" in operation:
        answers[422] = "请求参数有误（errors 列出每个字段的原因）"
    if "requestBody" in operation:
        answers[400] = "请求格式有误：请求体须为 JSON"
    return answers


class MinzhengAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, text in _common_answers(operation).items():
                    body = {"application/json": {"schema": ERROR_BODY}}
                    operation["responses"].setdefault(code, {"description": text, "content": body})
        return schema


api = MinzhengAPI(
    title="民政业务平台接口",
    version="1",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_decorator=docs_login_required,
    renderer=ChineseJSONRenderer(),
    description="所有接口需在请求头携带 `Authorization: Bearer 令牌`；数据按账号管辖范围过滤并记入审计日志。",
)
api.add_router("/", registry_router)
api.add_router("/", emergency_router)
api.add_router("/", cases_router)
api.add_router("/", workitems_router)

HTTP_ERRORS = {
    400: "请求格式有误：请求体须为 JSON",
    403: "无权访问",
    429: "请求过于频繁，请稍后再试",
}


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = exc.detail if isinstance(exc, TokenRefused) else "未提供有效的令牌"
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Bearer"  # RFC 6750 §3: tells clients which scheme is expected
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Same answer for "elsewhere" and "nowhere": nothing leaks outside the jurisdiction.
    return api.create_response(request, {"detail": "未找到，或不在您的管辖范围内"}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请求参数有误", "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own messages are English ("Cannot parse request body"); users read Chinese.
    detail = HTTP_ERRORS.get(exc.status_code, "请求有误")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)
