"""One JSON error shape for the whole API, with Vietnamese messages.

Every error answer is::

    {"status": 400, "code": "invalid", "message": "…", "fields": {"title": ["…"]}}

`fields` names the request field (body or query parameter; nested ones as
"supervised_units.0") and is empty when the error is not about one field.
Django REST framework ships only a handful of Vietnamese messages, so the
serializers of this app replace their fields' messages with the Vietnamese
ones below (`VietnameseErrorsMixin`), keeping DRF's placeholders; the
exception handler translates the rest by error code and turns the services'
`UserFacingError` (already Vietnamese) into the same shape. No stack trace
reaches a client: anything unexpected is logged and answered with a 500 in
the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, fields, relations, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from mattran.activities.services import FieldErrors
from mattran.core.errors import UserFacingError

from .idempotency import KeyReused

logger = logging.getLogger(__name__)

# DRF error codes -> Vietnamese, with DRF's own placeholders.
MESSAGES: dict[str, str] = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để null.",
    "blank": "Trường này không được để trống.",
    "max_length": "Tối đa {max_length} ký tự.",
    "min_length": "Tối thiểu {min_length} ký tự.",
    "max_value": "Giá trị phải nhỏ hơn hoặc bằng {max_value}.",
    "min_value": "Giá trị phải lớn hơn hoặc bằng {min_value}.",
    "max_string_length": "Số quá lớn.",
    "invalid_choice": "“{input}” không phải là giá trị hợp lệ.",
    "not_a_list": "Cần một danh sách, không phải “{input_type}”.",
    "empty": "Danh sách không được rỗng.",
    "does_not_exist": "Không tìm thấy đối tượng có mã {pk_value}.",
    "incorrect_type": "Cần mã số (id), không phải {data_type}.",
    "date": "Cần một ngày (YYYY-MM-DD), không phải ngày giờ.",
    "datetime": "Cần một ngày (YYYY-MM-DD), không phải ngày giờ.",
    "null_characters_not_allowed": "Không được chứa ký tự NUL.",
    "surrogate_characters_not_allowed": "Chứa ký tự Unicode không hợp lệ.",
    "invalid": "Giá trị không hợp lệ.",
}
# "invalid" means different things for different field classes.
INVALID: dict[type, str] = {
    fields.IntegerField: "Cần một số nguyên.",
    fields.SlugField: "Mã chỉ gồm chữ cái không dấu, chữ số, gạch ngang và gạch dưới.",
    fields.DateField: "Ngày sai định dạng; dùng YYYY-MM-DD, ví dụ 2023-09-14.",
    fields.DateTimeField: "Thời điểm sai định dạng; dùng ISO 8601.",
    fields.BooleanField: "Cần giá trị true hoặc false.",
    fields.CharField: "Cần một chuỗi ký tự.",
    fields.FloatField: "Cần một số.",
    serializers.Serializer: "Cần một đối tượng JSON, không phải {datatype}.",
}
VALIDATOR_CODES = {
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "null_characters_not_allowed",
    "surrogate_characters_not_allowed",
}
LIST_MESSAGES = {
    "max_length": "Tối đa {max_length} phần tử.",
    "min_length": "Tối thiểu {min_length} phần tử.",
}


def _vietnamise(field: fields.Field) -> None:
    messages = field.error_messages
    is_list = isinstance(field, fields.ListField | relations.ManyRelatedField)
    for code in list(messages):
        if code == "invalid":
            for cls in type(field).__mro__:
                if cls in INVALID:
                    messages[code] = INVALID[cls]
                    break
            else:
                messages[code] = MESSAGES["invalid"]
        elif is_list and code in LIST_MESSAGES:
            messages[code] = LIST_MESSAGES[code]
        elif code in MESSAGES:
            messages[code] = MESSAGES[code]
    # Length and range validators got their message when the field was built.
    for validator in field.validators:
        code = getattr(validator, "code", None)
        if code not in VALIDATOR_CODES:
            continue  # e.g. a RegexValidator with its own Vietnamese message
        template = (LIST_MESSAGES if is_list else {}).get(code) or MESSAGES.get(code)
        if template and hasattr(validator, "message"):
            validator.message = template.format(**{code: getattr(validator, "limit_value", "")})
    for child in (getattr(field, "child", None), getattr(field, "child_relation", None)):
        if isinstance(child, fields.Field):
            _vietnamise(child)


class VietnameseErrorsMixin:
    """Serializer mixin: every field (and the serializer itself) errs in Vietnamese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _vietnamise(self)

    def get_fields(self):
        result = super().get_fields()
        for field in result.values():
            _vietnamise(field)
        return result


class ApiSerializer(VietnameseErrorsMixin, serializers.Serializer):
    pass


# ------------------------------------------------------------------ the answer

STATUS_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần mã truy cập (token) hợp lệ: gửi tiêu đề “Authorization: Token <mã>”.",
    403: "Bạn không có quyền thực hiện việc này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    406: "Không trả lời được theo định dạng yêu cầu (chỉ có application/json).",
    415: "Định dạng nội dung không được hỗ trợ; hãy gửi application/json.",
    422: "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác (địa chỉ hoặc nội dung khác).",
    429: "Bạn gửi quá nhiều yêu cầu; vui lòng thử lại sau ít phút.",
    500: "Lỗi hệ thống; chưa ghi dữ liệu nào. Vui lòng báo quản trị.",
}
CODE_BY_CLASS: list[tuple[type, str, str | None]] = [
    (exceptions.ValidationError, "invalid", "Dữ liệu gửi lên không hợp lệ; xem từng trường."),
    (exceptions.ParseError, "parse_error", "Nội dung gửi lên không phải JSON hợp lệ."),
    (exceptions.NotAuthenticated, "not_authenticated", None),
    (
        exceptions.AuthenticationFailed,
        "authentication_failed",
        "Mã truy cập (token) không đúng, đã hết hạn hoặc đã bị thu hồi.",
    ),
    (exceptions.PermissionDenied, "permission_denied", None),
    (exceptions.NotFound, "not_found", None),
    (exceptions.MethodNotAllowed, "method_not_allowed", None),
    (exceptions.NotAcceptable, "not_acceptable", None),
    (exceptions.UnsupportedMediaType, "unsupported_media_type", None),
    (exceptions.Throttled, "throttled", None),
    (KeyReused, "idempotency_key_reused", None),
]


def error_body(
    status: int, code: str, message: str, fields_: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"status": status, "code": code, "message": message, "fields": fields_ or {}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"a.b.0": ["message", …]} in Vietnamese."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for k, v in _flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            out.setdefault(prefix, []).extend(_message(d) for d in detail)
        else:
            for i, value in enumerate(detail):
                if value:
                    for k, v in _flatten(value, f"{prefix}.{i}" if prefix else str(i)).items():
                        out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix, []).append(_message(detail))
    return out


def _message(detail: Any) -> str:
    """A message in Vietnamese: ours are already; DRF's English ones go by code."""
    text = str(detail)
    code = getattr(detail, "code", None)
    if code in MESSAGES and text.isascii() and "{" not in MESSAGES[code]:
        return MESSAGES[code]
    return text


def response_for(exc: Exception) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, FieldErrors):
        named = {k: v for k, v in exc.errors.items() if k}
        general = " ".join(m for k, msgs in exc.errors.items() if not k for m in msgs)
        return Response(
            error_body(
                400, "invalid", general or "Dữ liệu gửi lên không hợp lệ; xem từng trường.", named
            ),
            status=400,
        )
    if isinstance(exc, UserFacingError):
        return Response(error_body(400, "rejected", exc.message), status=400)
    if not isinstance(exc, exceptions.APIException):
        return None
    status = exc.status_code
    code, message = "error", STATUS_MESSAGES.get(status, "Yêu cầu không thực hiện được.")
    for cls, cls_code, cls_message in CODE_BY_CLASS:
        if isinstance(exc, cls):
            code = cls_code
            message = cls_message or message
            break
    field_errors: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        field_errors = _flatten(exc.detail)
        general = field_errors.pop("", [])
        if general:
            message = " ".join(general)
    elif isinstance(exc, exceptions.NotFound | exceptions.PermissionDenied):
        # Our own views raise these with Vietnamese text; DRF's defaults are English.
        text = str(exc.detail)
        if not text.isascii():
            message = text
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(error_body(status, code, message, field_errors), status=status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response:
    response = response_for(exc)
    set_rollback()
    if response is None:
        view = context.get("view")
        logger.exception("API error in %s", type(view).__name__ if view else "?", exc_info=exc)
        response = Response(error_body(500, "server_error", STATUS_MESSAGES[500]), status=500)
    return response


@csrf_exempt  # no session is used under /api/; a POST to a wrong address is a 404 too
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/v1/: the same JSON 404."""
    return JsonResponse(error_body(404, "not_found", "Không có địa chỉ API này."), status=404)
