"""Validation and storage names for uploaded files (signed documents, evidence, photos).

Files are checked by content, not only by name: a PDF must start with "%PDF-",
a DOCX must be a ZIP holding "word/document.xml" (only the directory is read,
nothing is extracted), an image must open and verify in Pillow, in one of the
accepted formats and below a pixel limit (decompression bombs). Sizes are capped
by settings so a form cannot fill the disk. Stored names are random; the
original name is kept in a separate column for downloads.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".jpg", ".jpeg", ".png", ".webp"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000


def max_document_bytes() -> int:
    return int(getattr(settings, "MATTRAN_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024))


def max_image_bytes() -> int:
    return int(getattr(settings, "MATTRAN_MAX_IMAGE_BYTES", 5 * 1024 * 1024))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _extension(f) -> str:
    return PurePath(getattr(f, "name", "") or "").suffix.lower()


def _check_size(f, limit: int) -> None:
    size = getattr(f, "size", None)
    if size is None:
        return
    if size == 0:
        raise ValidationError("Tệp rỗng.", code="empty")
    if size > limit:
        raise ValidationError(
            f"Tệp quá lớn ({_mb(size)}); giới hạn là {_mb(limit)}.", code="too_large"
        )


def _head(f, n: int = 8) -> bytes:
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    data = f.read(n)
    f.seek(pos)
    return data


def _check_image(f) -> None:
    from PIL import Image, UnidentifiedImageError

    pos = f.tell()
    try:
        f.seek(0)
        with Image.open(f) as img:
            fmt = img.format
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    f"Ảnh quá lớn ({width}×{height} điểm ảnh).", code="too_many_pixels"
                )
            img.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "Tệp không phải là ảnh hợp lệ (JPEG, PNG hoặc WEBP).", code="bad_image"
        ) from None
    finally:
        f.seek(pos)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError("Chỉ nhận ảnh JPEG, PNG hoặc WEBP.", code="bad_image_format")


def _check_docx(f) -> None:
    pos = f.tell()
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(
            "Tệp DOCX bị hỏng hoặc không đúng định dạng.", code="bad_docx"
        ) from None
    finally:
        f.seek(pos)
    if "word/document.xml" not in names:
        raise ValidationError("Tệp không phải là văn bản Word (DOCX).", code="bad_docx")


def validate_document(f) -> None:
    """A signed document or evidence: PDF, DOCX or an image, within the size limit."""
    ext = _extension(f)
    if ext not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            "Chỉ nhận tệp PDF, DOCX hoặc ảnh (JPG, PNG, WEBP).", code="bad_extension"
        )
    _check_size(f, max_document_bytes())
    if ext == ".pdf":
        if not _head(f, 5).startswith(b"%PDF-"):
            raise ValidationError("Tệp không phải là PDF hợp lệ.", code="bad_pdf")
    elif ext == ".docx":
        _check_docx(f)
    else:
        _check_image(f)


def validate_image(f) -> None:
    """A photo for a news article: JPEG, PNG or WEBP within the size limit."""
    if _extension(f) not in IMAGE_EXTENSIONS:
        raise ValidationError("Chỉ nhận ảnh JPG, PNG hoặc WEBP.", code="bad_extension")
    _check_size(f, max_image_bytes())
    _check_image(f)


def random_path(folder: str, filename: str) -> str:
    """ "<folder>/<year>/<random>.<ext>": stored names never come from the user."""
    from django.utils import timezone

    ext = PurePath(filename).suffix.lower()[:8]
    return f"{folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"


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
