"""`Idempotency-Key` for the API's writes (as in Stripe's and the IETF draft's design).

The key row is inserted in the same transaction as the write it guards, so
either both exist or neither: a retry after a lost answer replays the stored
answer (header `Idempotent-Replayed: true`), and two concurrent requests with one
key end in one write (the second waits on the unique index, then replays). The
same key with a different body or URL is refused with 422.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, e.g. a UUID

PARAMETER = OpenApiParameter(
    HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Khóa do hệ thống gửi tự đặt (ví dụ một UUID) để gửi lại an toàn: cùng khóa, "
        "cùng nội dung thì chỉ ghi một lần và trả lại kết quả lần đầu."
    ),
)


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác."
    default_code = "idempotency_key_reused"  # message: errors.STATUS_MESSAGES[422]


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotentRequest, endpoint: str, digest: str) -> Response:
    if stored.endpoint != endpoint or stored.request_sha256 != digest:
        raise KeyReused()
    response = Response(stored.response, status=stored.status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Decorate an APIView's `post`: honours an optional Idempotency-Key header."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(self, request, *args, **kwargs)
        if not _VALID.fullmatch(key):
            raise exceptions.ValidationError(
                {HEADER: ["Khóa phải gồm 1 đến 255 ký tự ASCII nhìn thấy được (ví dụ một UUID)."]}
            )
        endpoint = f"{request.method} {request.path}"[:300]
        digest = _digest(request.data)
        mine = IdempotentRequest.objects.filter(user=request.user, key=key)
        stored = mine.first()
        if stored is not None:
            return _replay(stored, endpoint, digest)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        endpoint=endpoint,
                        request_sha256=digest,
                        status=0,
                        response={},
                    )
            except IntegrityError:  # a concurrent request with this key committed first
                record = None
            if record is None:
                return _replay(mine.get(), endpoint, digest)
            response = handler(self, request, *args, **kwargs)
            if response.status_code >= 300:
                transaction.set_rollback(True)  # not kept: the client may retry
                return response
            record.status = response.status_code
            record.response = response.data
            record.save(update_fields=["status", "response"])
            return response

    return wrapper
