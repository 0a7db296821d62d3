"""Errors that carry a Vietnamese message for the user."""

from __future__ import annotations

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
