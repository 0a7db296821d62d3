"""Text out of .docx (legacy fonts per run), .doc (LibreOffice), .pdf, .txt."""

import io
import subprocess
from pathlib import Path

import docx
import matplotlib
import pytest

from mattran.core.errors import UserFacingError
from mattran.reading import extract, legacy
from mattran.reading.finder import read_text

matplotlib.use("Agg")

BODY = "Hòa giải 86/92 (đạt 93.4%); trao 44 suất quà, mỗi suất 500 nghìn đồng."


def docx_bytes(runs: list[tuple[str, str | None]]) -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph()
    for text, font in runs:
        run = paragraph.add_run(text)
        if font:
            run.font.name = font
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_mixed_fonts_each_run_converted():
    data = docx_bytes(
        [
            ("Ủy ban MTTQ phường: ", "Times New Roman"),
            (legacy.unicode_to_tcvn3("tổ chức 12 cuộc tuyên truyền; "), ".VnTime"),
            (legacy.unicode_to_vni("tặng 44 suất quà."), "VNI-Times"),
        ]
    )
    out = extract.extract(name="bao-cao.docx", data=data)
    assert out.text == "Ủy ban MTTQ phường: tổ chức 12 cuộc tuyên truyền; tặng 44 suất quà."
    assert out.encoding == "mixed"
    keys = [f.key for f in read_text(out.text).figures]
    assert keys == ["tuyen_truyen", "quy_vi_nguoi_ngheo_suat_qua"]


def test_docx_capitals_font():
    data = docx_bytes([(legacy.unicode_to_tcvn3("báo cáo sơ kết"), ".VnTimeH")])
    assert extract.extract(name="a.docx", data=data).text == "BÁO CÁO SƠ KẾT"


def test_txt_legacy_whole_text_detected():
    data = legacy.unicode_to_vni(BODY).encode("cp1252")
    out = extract.extract(name="cu.txt", data=data)
    assert (out.text, out.encoding) == (BODY, "vni")
    out = extract.extract(name="cu.txt", data=legacy.unicode_to_tcvn3(BODY).encode("utf-8"))
    assert (out.text, out.encoding) == (BODY, "tcvn3")


def pdf_bytes(text: str) -> bytes:
    import matplotlib.pyplot as plt

    matplotlib.rcParams["pdf.fonttype"] = 42
    fig = plt.figure(figsize=(8.27, 11.7))
    fig.text(0.05, 0.9, text, fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


@pytest.mark.parametrize("reader", ["pdftotext", "pypdf"])
def test_pdf_text_layer(reader, monkeypatch):
    if reader == "pypdf":  # the fallback when poppler is not installed
        monkeypatch.setattr(extract, "pdftotext_path", lambda: None)
    else:
        assert extract.pdftotext_path(), "CI installs poppler-utils (.ci/run)"
    out = extract.extract(name="bao-cao.pdf", data=pdf_bytes(BODY))
    assert out.text.strip() == BODY
    assert out.source == "pdf"


@pytest.mark.parametrize("reader", ["pdftotext", "pypdf"])
def test_broken_pdf_either_reader(reader, monkeypatch):
    if reader == "pypdf":
        monkeypatch.setattr(extract, "pdftotext_path", lambda: None)
    with pytest.raises(UserFacingError, match="PDF bị hỏng"):
        extract.extract(name="a.pdf", data=b"%PDF-1.4 broken")


def test_doc_through_libreoffice(tmp_path):
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(docx_bytes([(legacy.unicode_to_tcvn3(BODY), ".VnTime")]))
    subprocess.run(
        [extract.soffice_path(), f"-env:UserInstallation=file://{tmp_path}/p", "--headless",
         "--convert-to", "doc", "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    out = extract.extract(name="bao-cao.doc", data=(tmp_path / "bao-cao.doc").read_bytes())
    assert out.source == "doc"
    assert out.text.strip().lower() == BODY.lower()


def test_doc_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(extract, "soffice_path", lambda: None)
    with pytest.raises(UserFacingError, match="chưa cài LibreOffice"):
        extract.extract(name="cu.doc", data=b"\xd0\xcf\x11\xe0 not really")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.docx", b"not a zip", "không phải tệp Word"),
        ("a.pdf", b"%PDF-1.4 broken", "PDF bị hỏng"),
        ("a.xlsx", b"x", "chỉ nhận .docx, .doc, .pdf hoặc .txt"),
        ("a.txt", b"", "Tệp rỗng"),
    ],
)
def test_bad_files_get_a_vietnamese_message(name, data, message):
    with pytest.raises(UserFacingError, match=message):
        extract.extract(name=name, data=data)


def test_seed_file_reads(tmp_path):
    data = (Path(__file__).parent / "data" / "seed_003.txt").read_bytes()
    assert "86/92" in extract.extract(name="seed.txt", data=data).text
