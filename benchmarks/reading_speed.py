"""A 20-page report read and checked (target: under 2 s), next to naive baselines.

    .venv/bin/python benchmarks/reading_speed.py [--pages 20]

Builds a .docx of about 20 A4 pages (≈ 500 words a page) from the seed
review and the real corpus passages with varied numbers, half of it typed in
the legacy .VnTime (TCVN3) font, then times in the same run:
  - ours: python-docx in process (per-run legacy conversion) + find + check;
  - the same for the PDF of that document (poppler's pdftotext when installed,
    else pypdf: both timed);
  - naive baseline 1: LibreOffice exports the .docx to text, then find + check;
  - naive baseline 2: legacy conversion by one str.replace per table entry
    (what a hand-written converter usually does) instead of one translate.
No database is needed.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import os  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
os.environ.setdefault("MATTRAN_DEBUG", "1")  # serves nothing; no database either
os.environ.setdefault("MATTRAN_DATA_DIR", str(ROOT / "var"))
import django  # noqa: E402

django.setup()

import docx  # noqa: E402

from mattran.reading import checker, extract, finder, legacy  # noqa: E402
from tests.reading.data.corpus import CORPUS  # noqa: E402

SEED = (ROOT / "tests" / "reading" / "data" / "seed_003.txt").read_text()


def paragraphs(pages: int) -> list[str]:
    rng = random.Random(14)
    base = [p for p in SEED.split("\n") if len(p) > 200] + [c["text"] for c in CORPUS]
    out, words = [], 0
    while words < pages * 500:
        text = rng.choice(base)
        # vary the numbers so no two paragraphs are the same
        text = "".join(str(rng.randint(1, 999)) if ch == "7" else ch for ch in text)
        out.append(text)
        words += len(text.split())
    return out


def build_docx(paras: list[str]) -> bytes:
    document = docx.Document()
    for i, text in enumerate(paras):
        run = document.add_paragraph().add_run(legacy.unicode_to_tcvn3(text) if i % 2 else text)
        run.font.name = ".VnTime" if i % 2 else "Times New Roman"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def ours(name: str, data: bytes) -> tuple[float, int, int]:
    t = time.perf_counter()
    ex = extract.extract(name=name, data=data)
    reading = finder.read_text(ex.text)
    warnings = checker.check(reading)
    return time.perf_counter() - t, len(reading.figures), len(warnings)


def soffice(src: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run(
        [extract.soffice_path(), f"-env:UserInstallation=file://{outdir}/p", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return outdir / (src.stem + "." + fmt.split(":")[0])


def naive_replace(text: str) -> str:
    for b, u in legacy.TCVN3_DECODE.items():
        text = text.replace(b, u)
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    paras = paragraphs(args.pages)
    data = build_docx(paras)
    chars = sum(len(p) for p in paras)
    print(f"document: {args.pages} pages ≈ {sum(len(p.split()) for p in paras)} words, "
          f"{chars} characters, {len(data) // 1024} KB .docx, half in TCVN3")  # fmt: skip
    best = min((ours("bao-cao.docx", data) for _ in range(3)), key=lambda r: r[0])
    print(
        f"ours  .docx read + find + check: {best[0]:.3f} s  ({best[1]} figures, {best[2]} warnings)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "bao-cao.docx"
        src.write_bytes(data)
        pdf = soffice(src, "pdf", tmpdir)
        best_pdf = min(
            (ours("bao-cao.pdf", pdf.read_bytes()) for _ in range(3)), key=lambda r: r[0]
        )
        print(
            f"ours  .pdf  (pdftotext) + find + check: {best_pdf[0]:.3f} s ({best_pdf[1]} figures)"
        )
        found_exe = extract.pdftotext_path
        extract.pdftotext_path = lambda: None  # the fallback when poppler is missing
        slow = ours("bao-cao.pdf", pdf.read_bytes())
        extract.pdftotext_path = found_exe
        print(f"ours  .pdf  (pypdf fallback) + find + check: {slow[0]:.3f} s ({slow[1]} figures)")
        t = time.perf_counter()
        txt = soffice(src, "txt:Text (encoded):UTF8", tmpdir)
        text, _ = legacy.convert(txt.read_text(encoding="utf-8-sig"))
        reading = finder.read_text(text)
        checker.check(reading)
        naive = time.perf_counter() - t
        found = len(reading.figures)
        print(f"naive LibreOffice export + find + check: {naive:.3f} s  ({found} figures)")
    legacy_text = legacy.unicode_to_tcvn3("\n".join(paras))
    t = time.perf_counter()
    a = legacy.tcvn3_to_unicode(legacy_text)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    b = naive_replace(legacy_text)
    slow = time.perf_counter() - t
    wrong = "" if a == b else " — and WRONG: a letter replaced early is replaced again (á→ỏ)"
    print(f"TCVN3 → Unicode, whole document: translate {fast * 1000:.1f} ms, "
          f"one replace per letter {slow * 1000:.1f} ms{wrong}")  # fmt: skip
    verdict = "MET" if best[0] < 2 else "NOT MET"
    print(f"target (20 pages under 2 s): {verdict}")


if __name__ == "__main__":
    main()
