"""Uploaded spreadsheets are checked before a parser reads them.

An .xlsx file is a zip archive of XML files. A hostile one can be small on
the wire and enormous when unpacked (a "zip bomb": a sheet that inflates from
a few hundred kilobytes to gigabytes), or carry XML entity bombs, or simply be
corrupt. openpyxl would unpack and parse whatever it is given (and holds the
shared strings in memory even in read-only mode), so every place that opens an
uploaded workbook goes through `xlsx_open` here:

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

Every refusal is a `UserFacingError` with a Vietnamese message.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
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
