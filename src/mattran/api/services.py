"""API tokens: issued and revoked by an operator (`mattran api_token`), audited.

Tokens are django-rest-knox tokens: only a SHA-512 digest is stored, each has an
expiry (settings.REST_KNOX["TOKEN_TTL"], MATTRAN_API_TOKEN_DAYS) and is revoked
by deleting its row. The token acts with exactly its user's grants.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from knox.models import AuthToken

from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError


@transaction.atomic
def api_token_create(*, actor, user, days: int | None = None) -> tuple[AuthToken, str]:
    """A new token for `user`; returns the row and the token text (shown once, never stored)."""
    if not user.is_active:
        raise UserFacingError(f"Tài khoản “{user.username}” đang bị khóa; không cấp mã API.")
    if days is not None and not 1 <= days <= 3650:
        raise UserFacingError("Thời hạn mã API phải từ 1 đến 3650 ngày.")
    if days is None:
        token, text = AuthToken.objects.create(user=user)  # the configured TOKEN_TTL
    else:
        token, text = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=days))
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=user,
        after={"token_key": token.token_key, "expiry": token.expiry},
        note=f"Cấp mã API {token.token_key}… cho {user.username}",
    )
    return token, text


@transaction.atomic
def api_tokens_revoke(*, actor, user) -> int:
    """Revoke every API token of `user`; returns how many there were."""
    keys = list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))
    AuthToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=user,
        before={"token_keys": keys},
        note=f"Thu hồi {len(keys)} mã API của {user.username}",
    )
    return len(keys)
