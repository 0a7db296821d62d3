"""One-time form tokens: a double-submitted money form books once.

`new_form_token()` goes into the page (OnceFormMixin's hidden field);
`form_token_use()` is called by the service that writes, inside its
transaction, before the write. The token row commits or rolls back with the
write, so a token is "used" exactly when the money was booked. On PostgreSQL
a concurrent second submission waits on the first one's unique key and then
fails; on SQLite writes are serialised anyway.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from .errors import UserFacingError
from .models import FormToken


class DuplicateSubmission(UserFacingError):
    """This form was already submitted; `object_id` names what the first one wrote."""

    def __init__(self, object_id: str):
        super().__init__("Biểu mẫu này đã được gửi và đã ghi một lần; lần gửi lại không ghi thêm.")
        self.object_id = object_id


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def form_token_use(*, token: str, actor, action: str) -> FormToken:
    """Mark the token used (in the caller's transaction); DuplicateSubmission if it was."""
    if not token or len(token) > 64:
        raise UserFacingError("Biểu mẫu thiếu mã gửi một lần; hãy tải lại trang và nhập lại.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():  # a savepoint: the outer transaction survives the clash
            return FormToken.objects.create(token=token, user=user, action=action)
    except IntegrityError:
        first = FormToken.objects.filter(token=token).first()
        raise DuplicateSubmission(first.object_id if first else "") from None


def form_token_done(row: FormToken | None, obj) -> None:
    """Remember what the first submission wrote, to show it to a second one."""
    if row is not None:
        row.object_id = str(obj.pk)
        row.save(update_fields=["object_id"])
