"""Text out of an uploaded report: .docx, .doc (LibreOffice), .pdf (text layer), .txt.

Each returns Unicode NFC text with legacy TCVN3/VNI runs converted. For .docx
the font of each run says its encoding (".VnTime" is TCVN3, "VNI-Times" is
VNI), so a document that mixes a Unicode heading with a legacy body converts
each part correctly; plain text is judged as a whole (`legacy.detect`).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # noqa: S404 - LibreOffice is run with a fixed argument list, no shell
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mattran.core.errors import UserFacingError
from mattran.core.uploads import max_bytes

from . import legacy

SUFFIXES = (".docx", ".doc", ".pdf", ".txt")
SOFFICE_TIMEOUT = 120


@dataclass(frozen=True)
class Extracted:
    text: str
    source: str  # "docx", "doc", "pdf", "txt", "paste"
    encoding: str  # "unicode", "tcvn3", "vni" or "mixed"
    note: str  # how the encoding was decided, in Vietnamese


def _decode_bytes(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-16" and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            continue
        return text
    # A legacy .txt saved from a .VnTime/VNI document is Windows-1252 bytes.
    return data.decode("cp1252", errors="replace")


def from_text(text: str, *, source: str = "paste") -> Extracted:
    converted, d = legacy.convert(text)
    return Extracted(converted, source, d.encoding, d.reason)


def _docx_paragraph_text(paragraph) -> tuple[str, set[str]]:
    parts: list[str] = []
    seen: set[str] = set()
    style_font = None
    try:
        style_font = paragraph.style.font.name if paragraph.style is not None else None
    except (AttributeError, KeyError):
        style_font = None
    for run in paragraph.runs:
        font = run.font.name or style_font
        enc = legacy.font_encoding(font)
        text = run.text
        if enc:
            seen.add(enc)
            text = legacy.to_unicode(text, enc)
            if legacy.font_is_capitals(font):
                text = text.upper()
        parts.append(text)
    return "".join(parts), seen


def from_docx(data: bytes) -> Extracted:
    import docx  # python-docx, a project dependency

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserFacingError("Tệp .docx bị hỏng hoặc không phải tệp Word (.docx) hợp lệ.") from exc
    lines: list[str] = []
    encodings: set[str] = set()
    for paragraph in document.paragraphs:
        text, seen = _docx_paragraph_text(paragraph)
        encodings |= seen
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                cell_text = []
                for paragraph in cell.paragraphs:
                    text, seen = _docx_paragraph_text(paragraph)
                    encodings |= seen
                    cell_text.append(text)
                cells.append(" ".join(cell_text))
            lines.append(" | ".join(cells))
    text = "\n".join(lines)
    if encodings:
        names = ", ".join(sorted(e.upper() for e in encodings))
        return Extracted(
            unicodedata.normalize("NFC", text),
            "docx",
            encodings.pop() if len(encodings) == 1 else "mixed",
            f"phông chữ trong tệp cho biết bảng mã {names}; đã chuyển sang Unicode",
        )
    # No legacy font named: the text may still be legacy (style-level fonts).
    result = from_text(text, source="docx")
    return result


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def from_doc(data: bytes) -> Extracted:
    soffice = soffice_path()
    if not soffice:
        raise UserFacingError(
            "Máy chủ chưa cài LibreOffice nên chưa đọc được tệp Word cũ (.doc). "
            "Hãy mở tệp bằng Word và lưu lại dạng .docx, hoặc nhờ quản trị cài LibreOffice."
        )
    with tempfile.TemporaryDirectory(prefix="mattran-doc-") as tmp:
        src = Path(tmp) / "bao-cao.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        try:
            subprocess.run(  # noqa: S603
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=SOFFICE_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise UserFacingError(
                "LibreOffice không chuyển được tệp .doc này (tệp hỏng?)."
            ) from exc
        out = Path(tmp) / "bao-cao.docx"
        if not out.exists():
            raise UserFacingError("LibreOffice không chuyển được tệp .doc này (tệp hỏng?).")
        result = from_docx(out.read_bytes())
    return Extracted(result.text, "doc", result.encoding, result.note)


def pdftotext_path() -> str | None:
    return shutil.which("pdftotext")


def _pdf_pages_poppler(exe: str, data: bytes) -> list[str]:
    """Poppler's pdftotext (a Debian package CI installs): about 15× faster than pypdf."""
    try:
        done = subprocess.run(  # noqa: S603
            [exe, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=120
        )
    except subprocess.TimeoutExpired as exc:
        raise UserFacingError("Tệp PDF quá phức tạp, đọc quá lâu.") from exc
    if done.returncode != 0:
        if b"password" in done.stderr.lower():
            raise UserFacingError("Tệp PDF có mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.")
        raise UserFacingError("Tệp PDF bị hỏng, không đọc được.")
    return done.stdout.decode("utf-8", errors="replace").split("\f")


def _pdf_pages_pypdf(data: bytes) -> list[str]:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UserFacingError("Tệp PDF có mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.")
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UserFacingError("Tệp PDF bị hỏng, không đọc được.") from exc


def from_pdf(data: bytes) -> Extracted:
    exe = pdftotext_path()
    pages = _pdf_pages_poppler(exe, data) if exe else _pdf_pages_pypdf(data)
    text = "\n".join(pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise UserFacingError(
            "Tệp PDF không có lớp chữ (có thể là bản scan ảnh); hãy tải lên tệp Word "
            "hoặc dán nội dung báo cáo."
        )
    converted, d = legacy.convert(text)
    # A text layer breaks lines inside a paragraph: join a line that does not
    # end a sentence with the next one, so a figure keeps its sentence.
    joined = re.sub(r"(?<![.;:!?…])[ \t]*\n(?=[^\n])", " ", converted)
    return Extracted(joined, "pdf", d.encoding, d.reason)


def extract(*, name: str, data: bytes) -> Extracted:
    """Dispatch on the file name's suffix; every refusal is a Vietnamese message."""
    limit = max_bytes("old_report")  # the upload module's limit (core/uploads.py)
    if len(data) > limit:
        raise UserFacingError(f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB).")
    if not data:
        raise UserFacingError("Tệp rỗng, không có nội dung để đọc.")
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return from_docx(data)
    if suffix == ".doc":
        return from_doc(data)
    if suffix == ".pdf":
        return from_pdf(data)
    if suffix == ".txt":
        return from_text(_decode_bytes(data), source="txt")
    raise UserFacingError(
        f"Chưa đọc được tệp dạng “{suffix or name}”: chỉ nhận .docx, .doc, .pdf hoặc .txt."
    )
