"""Where emulation (and news) files are stored, and the validators their model fields
name in migrations. The checks themselves are the upload module's
(mattran.core.uploads: kinds "document" and "image"); this module only binds them
to the names the migrations reference.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from mattran.core.uploads import UploadError, check_upload, storage_name


def _validator(kind: str):
    def validate(f) -> None:
        try:
            check_upload(f, kind)
        except UploadError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc

    return validate


# Model field validators (referenced by migrations: keep the names).
validate_document = _validator("document")  # signed documents, evidence: PDF, DOCX, images
validate_image = _validator("image")  # news photos: JPEG, PNG, WEBP


def random_path(folder: str, filename: str) -> str:
    """ "<folder>/<year>/<random>.<ext>" (core.uploads.storage_name)."""
    return storage_name(folder, filename)


# `upload_to` callables must be module-level functions for migrations.
def program_document_path(instance, filename: str) -> str:
    return random_path("thi-dua/chuong-trinh", filename)


def evidence_path(instance, filename: str) -> str:
    return random_path("thi-dua/minh-chung", filename)


def decision_document_path(instance, filename: str) -> str:
    return random_path("thi-dua/quyet-dinh", filename)


def file_safe_snapshot(obj) -> dict | None:
    """`core.audit.snapshot` for models with file fields.

    `snapshot` probes a FieldFile's `url`, which raises ValueError when the
    field is empty; here file fields are recorded by their stored name instead.
    """
    from django.db import models

    from mattran.core.audit import snapshot

    if obj is None:
        return None
    file_fields = [f.name for f in obj._meta.concrete_fields if isinstance(f, models.FileField)]
    if not file_fields:
        return snapshot(obj)
    others = [f.name for f in obj._meta.concrete_fields if f.name not in file_fields]
    data = snapshot(obj, fields=others)
    for name in file_fields:
        data[name] = getattr(obj, name).name or None
    return data
