"""The one upload module: every file a person uploads is checked here.

Each upload has a *kind* (KINDS below: activity attachments, signed documents and
evidence, news photos, bank statements, spreadsheets of the bulk templates, unit
lists, old reports to read). A kind says which file types it takes, and has one
size limit, `settings.MATTRAN_UPLOAD_MAX_BYTES[kind]` (each overridable from the
environment, see settings.py). `check_upload(file, kind)`:

- refuses an empty file, a file over the kind's limit, and a type (by extension)
  the kind does not take;
- checks the content against the type its name claims (magic bytes, or a parse):
  a PDF starts with "%PDF-", a DOCX is a zip holding word/document.xml, an XLSX
  passes `xlsx_check` (below), a DOC/XLS is an OLE2 compound file, an image opens
  and verifies in Pillow (JPEG, PNG or WEBP, under a pixel limit), a CSV/TXT is
  text (no NUL byte, not a known binary format);
- raises `UploadError` (a UserFacingError) with a Vietnamese message; form fields
  use `mattran.core.forms.UploadField`, which turns it into a form error.

Stored files get generated names (`storage_name`: "<folder>/<year>/<random>.<ext>");
the name the person gave is kept, cleaned (`original_name`), in a separate column
for downloads.

Uploaded spreadsheets in detail: an .xlsx file is a zip archive of XML files. A
hostile one can be small on the wire and enormous when unpacked (a "zip bomb": a
sheet that inflates from a few hundred kilobytes to gigabytes), or carry XML
entity bombs, or simply be corrupt. openpyxl would unpack and parse whatever it is
given (and holds the shared strings in memory even in read-only mode), so every
place that opens an uploaded workbook goes through `xlsx_open` here:

1. the archive's directory is read (cheap: no member is inflated) and refused
   when it has too many members, a total unpacked size above
   MATTRAN_XLSX_MAX_UNPACKED_BYTES (default 200 MB; a 100,000-row bank
   statement unpacks to about 36 MB), a large member whose compression ratio
   is above MATTRAN_XLSX_MAX_RATIO (default 100; real workbooks stay under
   20), encrypted members, or no workbook part;
2. every member is then inflated once in small chunks and its CRC checked.
   Python's zipfile never inflates a member past the size its header declares,
   so a header that lies about it ends in a CRC error here, with the work
   bounded by the limit of step 1. An XML part that declares a DTD or entities
   (how XML bombs are built; no XLSX part has one) is refused;
3. openpyxl opens it read-only with formulas not evaluated. XML entities are
   not expanded (defusedxml, a dependency, is used by openpyxl when present;
   lxml's parser is set not to resolve entities);
4. `xlsx_reading()` wraps the row loop, turning an archive or XML error met
   while streaming rows into the same Vietnamese message.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings

from .errors import UserFacingError

MB = 1024 * 1024
MAX_MEMBERS = 2000
CHUNK = 64 * 1024
RATIO_CHECK_FROM = 1 * MB  # small members (styles, themes) may compress very well

NOT_XLSX = "Tệp không phải tệp Excel .xlsx hợp lệ (có thể tệp bị hỏng hoặc đã bị đổi đuôi)."


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "MATTRAN_XLSX_MAX_UNPACKED_BYTES", 200 * MB))


def max_ratio() -> int:
    return int(getattr(settings, "MATTRAN_XLSX_MAX_RATIO", 100))


def _parse_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ParseError,
    ]
    with contextlib.suppress(ImportError):
        from lxml.etree import XMLSyntaxError

        errors.append(XMLSyntaxError)
    with contextlib.suppress(ImportError):
        from defusedxml import DefusedXmlException

        errors.append(DefusedXmlException)
    return tuple(errors)


PARSE_ERRORS = _parse_errors()


def _mb(n: int) -> str:
    return f"{n / MB:,.0f}".replace(",", ".")


def xlsx_check(source: str | os.PathLike[str] | bytes | IO[bytes]) -> None:
    """Refuse an .xlsx that is not a sound zip of reasonable unpacked size (see module doc).

    `source`: a path, the file's bytes, or a seekable binary file (left at position 0).
    """
    stream: Any = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    if not isinstance(stream, str | os.PathLike):
        stream.seek(0)
    try:
        if not zipfile.is_zipfile(stream):
            raise UserFacingError(NOT_XLSX)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UserFacingError(f"{NOT_XLSX} Tệp có quá nhiều thành phần ({len(members)}).")
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or not any(
                n.startswith("xl/workbook.") for n in names
            ):
                raise UserFacingError(NOT_XLSX)
            total = sum(m.file_size for m in members)
            if total > max_unpacked_bytes():
                raise UserFacingError(
                    f"Tệp Excel khi giải nén quá lớn ({_mb(total)} MB, tối đa "
                    f"{_mb(max_unpacked_bytes())} MB). Hãy chia thành nhiều tệp nhỏ hơn."
                )
            for m in members:
                if m.flag_bits & 0x1:
                    raise UserFacingError(
                        "Tệp Excel có đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại."
                    )
                if m.file_size >= RATIO_CHECK_FROM and (
                    m.compress_size == 0 or m.file_size / m.compress_size > max_ratio()
                ):
                    raise UserFacingError(
                        f"{NOT_XLSX} Thành phần “{m.filename[:60]}” nén bất thường "
                        f"({_mb(m.compress_size)} MB giải nén thành {_mb(m.file_size)} MB); "
                        "hệ thống từ chối để tránh tệp phá hoại."
                    )
            for m in members:
                _inflate_and_scan(archive, m)
    except PARSE_ERRORS as exc:
        raise UserFacingError(NOT_XLSX) from exc
    except (NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        # an unsupported compression method, an encrypted member, a broken directory
        raise UserFacingError(NOT_XLSX) from exc
    finally:
        if not isinstance(stream, str | os.PathLike):
            stream.seek(0)


def _inflate_and_scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Inflate one member in chunks (zipfile checks its CRC at the end and never goes past
    its declared size); an XML part with a DTD is refused: no XLSX part has one, and
    entity declarations are how XML bombs (billion laughs) are built."""
    with archive.open(member) as fh:
        head = fh.read(CHUNK)
        if member.filename.endswith((".xml", ".rels")) and (
            b"<!DOCTYPE" in head or b"<!ENTITY" in head
        ):
            raise UserFacingError(
                f"{NOT_XLSX} Thành phần “{member.filename[:60]}” chứa khai báo DTD/ENTITY; "
                "hệ thống từ chối để tránh tệp phá hoại."
            )
        while fh.read(CHUNK):
            pass


def xlsx_open(source: str | os.PathLike[str] | bytes | IO[bytes]):
    """Check `source` (xlsx_check), then open it with openpyxl read-only, values only."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_check(source)
    data: Any = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    if isinstance(data, str | os.PathLike):
        data = Path(data)
    try:
        return load_workbook(data, read_only=True, data_only=True)
    except (*PARSE_ERRORS, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise UserFacingError(NOT_XLSX) from exc


@contextlib.contextmanager
def xlsx_reading() -> Iterator[None]:
    """Around a loop over rows: an archive or XML error met while streaming is a Vietnamese
    message, not a server error."""
    try:
        yield
    except PARSE_ERRORS as exc:
        raise UserFacingError(f"{NOT_XLSX} Không đọc được nội dung trang tính.") from exc


# =============================================================== every upload

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls (Office 97-2003)
BINARY_MAGICS = (b"PK\x03\x04", b"%PDF", OLE2_MAGIC, b"\x89PNG", b"\xff\xd8\xff", b"GIF8",
                 b"\x7fELF", b"MZ", b"RIFF")  # fmt: skip
MAX_IMAGE_PIXELS = 40_000_000
TEXT_SNIFF = 64 * 1024


class UploadError(UserFacingError):
    """An uploaded file refused: the one error type of every upload (Vietnamese message)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


# extension -> (what it is called in messages, content check name)
FILE_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("PDF", "pdf"),
    ".docx": ("Word (DOCX)", "docx"),
    ".doc": ("Word 97-2003 (DOC)", "ole2"),
    ".xlsx": ("Excel (XLSX)", "xlsx"),
    ".xls": ("Excel 97-2003 (XLS)", "ole2"),
    ".jpg": ("ảnh JPG", "image"),
    ".jpeg": ("ảnh JPG", "image"),
    ".png": ("ảnh PNG", "image"),
    ".webp": ("ảnh WEBP", "image"),
    ".csv": ("CSV", "text"),
    ".txt": ("văn bản thuần (TXT)", "text"),
}


@dataclass(frozen=True)
class UploadKind:
    label: str  # "tệp đính kèm": starts the messages ("Tệp đính kèm quá lớn …")
    extensions: tuple[str, ...]
    accepted: str  # "Chỉ nhận …" message when the type is not taken
    default_bytes: int


KINDS: dict[str, UploadKind] = {
    "attachment": UploadKind(
        "tệp đính kèm",
        (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"),
        "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG/PNG.",
        10 * MB,
    ),
    "document": UploadKind(
        "tệp văn bản",
        (".pdf", ".docx", ".jpg", ".jpeg", ".png", ".webp"),
        "Chỉ nhận tệp PDF, DOCX hoặc ảnh (JPG, PNG, WEBP).",
        10 * MB,
    ),
    "image": UploadKind(
        "ảnh", (".jpg", ".jpeg", ".png", ".webp"), "Chỉ nhận ảnh JPG, PNG hoặc WEBP.", 5 * MB
    ),
    "statement": UploadKind(
        "tệp sao kê", (".csv", ".txt", ".xlsx"), "Chỉ nhận tệp .csv hoặc .xlsx.", 50 * MB
    ),
    "spreadsheet": UploadKind("tệp Excel", (".xlsx",), "Chỉ nhận tệp Excel .xlsx.", 5 * MB),
    "unit_list": UploadKind("danh mục đơn vị", (".csv",), "Chỉ nhận tệp .csv.", 20 * MB),
    "old_report": UploadKind(
        "tệp báo cáo",
        (".docx", ".doc", ".pdf", ".txt"),
        "Chỉ nhận tệp .docx, .doc, .pdf hoặc .txt.",
        20 * MB,
    ),
}


def max_bytes(kind: str) -> int:
    limits = getattr(settings, "MATTRAN_UPLOAD_MAX_BYTES", {}) or {}
    return int(limits.get(kind, KINDS[kind].default_bytes))


def _size_text(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.0f} MB"
    return f"{max(n // 1024, 1)} KB" if n >= 1024 else f"{n} byte"


def extension(f) -> str:
    return PurePath(str(getattr(f, "name", "") or "")).suffix.lower()


def _head(f, n: int) -> bytes:
    pos = f.tell()
    try:
        f.seek(0)
        return f.read(n)
    finally:
        f.seek(pos)


def _not_what_it_claims(ext: str) -> UploadError:
    what = FILE_TYPES[ext][0]
    return UploadError(
        f"Nội dung tệp không phải {what} như đuôi {ext} cho biết "
        "(tệp bị hỏng hoặc đã bị đổi đuôi).",
        "bad_content",
    )


def _check_pdf(f, ext: str) -> None:
    if not _head(f, 5).startswith(b"%PDF-"):
        raise _not_what_it_claims(ext)


def _check_ole2(f, ext: str) -> None:
    if _head(f, 8) != OLE2_MAGIC:
        raise _not_what_it_claims(ext)


def _check_docx(f, ext: str) -> None:
    pos = f.tell()
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_what_it_claims(ext) from None
    finally:
        f.seek(pos)
    if "word/document.xml" not in names:
        raise _not_what_it_claims(ext)


def _check_xlsx(f, ext: str) -> None:
    pos = f.tell()
    try:
        xlsx_check(f)
    except UserFacingError as exc:
        raise UploadError(exc.message, "bad_content") from exc
    finally:
        f.seek(pos)


def _check_image(f, ext: str) -> None:
    from PIL import Image, UnidentifiedImageError

    pos = f.tell()
    try:
        f.seek(0)
        with Image.open(f) as img:
            fmt = img.format
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadError(f"Ảnh quá lớn ({width}×{height} điểm ảnh).", "too_many_pixels")
            img.verify()
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(
            "Tệp không phải là ảnh hợp lệ (JPEG, PNG hoặc WEBP).", "bad_content"
        ) from None
    finally:
        f.seek(pos)
    if fmt not in {"JPEG", "PNG", "WEBP"}:
        raise UploadError("Chỉ nhận ảnh JPEG, PNG hoặc WEBP.", "bad_content")


def _check_text(f, ext: str) -> None:
    head = _head(f, TEXT_SNIFF)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if head.startswith(BINARY_MAGICS) or (b"\x00" in head and not utf16):
        raise _not_what_it_claims(ext)


CONTENT_CHECKS = {
    "pdf": _check_pdf,
    "ole2": _check_ole2,
    "docx": _check_docx,
    "xlsx": _check_xlsx,
    "image": _check_image,
    "text": _check_text,
}


def check_upload(f, kind: str) -> str:
    """Refuse `f` (an uploaded file: name, size, seekable) unless it is a file of `kind`.

    Returns its extension (".pdf", …). Raises UploadError.
    """
    spec = KINDS[kind]
    label = spec.label[:1].upper() + spec.label[1:]
    size = getattr(f, "size", None)
    if size is None:
        pos = f.tell()
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(pos)
    if size == 0:
        raise UploadError(f"{label} rỗng (0 byte).", "empty")
    limit = max_bytes(kind)
    if size > limit:
        raise UploadError(f"{label} quá lớn (tối đa {_size_text(limit)}).", "too_large")
    ext = extension(f)
    if ext not in spec.extensions:
        raise UploadError(spec.accepted, "bad_type")
    CONTENT_CHECKS[FILE_TYPES[ext][1]](f, ext)
    return ext


def original_name(f) -> str:
    """The name the person gave, for downloads: no folders, no control characters, NFC,
    at most 255 characters (it is never used to store the file)."""
    import unicodedata

    from .text import printable

    raw = str(getattr(f, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", printable(raw)).strip().lstrip(".")
    return name[-255:] or "tep"


def storage_name(folder: str, filename: str) -> str:
    """ "<folder>/<year>/<random>.<ext>": stored names never come from the user (only a
    known extension is kept)."""
    import uuid

    from django.utils import timezone

    ext = PurePath(str(filename)).suffix.lower()
    ext = ext if ext in FILE_TYPES else ""
    return f"{folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"
