"""Errors that carry a Vietnamese message for the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file, named by row and column."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"Dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class UserFacingError(Exception):
    """A business-rule violation whose message (Vietnamese) can be shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportValidationError(UserFacingError):
    """An import found bad rows; nothing was written."""

    def __init__(self, errors: list[RowError], *, limit: int = 200):
        self.errors = errors[:limit]
        self.total = len(errors)
        head = f"Tệp có {self.total} lỗi, chưa ghi dữ liệu nào"
        super().__init__(head + ":\n" + "\n".join(str(e) for e in self.errors))


def full_clean_or_raise(
    obj, exclude: list[str] | None = None, *, validate_constraints: bool = True
) -> None:
    """`obj.full_clean()`, turning Django's ValidationError into one UserFacingError
    whose message names each field by its Vietnamese label ("Số tiền: …; Ngày: …")."""
    from django.core.exceptions import FieldDoesNotExist, ValidationError

    try:
        obj.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        messages = []
        for field, errors in exc.message_dict.items():
            label = ""
            if field != "__all__":
                try:
                    label = str(obj._meta.get_field(field).verbose_name)
                except FieldDoesNotExist:
                    label = field
            messages.extend(f"{label[:1].upper()}{label[1:]}: {e}" if label else e for e in errors)
        raise UserFacingError("; ".join(messages)) from exc


@contextmanager
def errors_as_messages(request) -> Iterator[None]:
    """A page's call of a service: a UserFacingError raised inside becomes the page's
    error message (and goes no further); what follows the call inside the block (the
    success message) runs only when it succeeded.

        with errors_as_messages(request):
            services.pledge_lock(actor=request.user, pledge=pledge)
            messages.success(request, "Đã khóa kết quả và xếp hạng.")
        return redirect(...)
    """
    from django.contrib import messages

    try:
        yield
    except UserFacingError as exc:
        messages.error(request, exc.message)
