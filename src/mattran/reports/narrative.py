"""Vietnamese sentences from templates: "Phối hợp tổ chức {tuyen_truyen} cuộc tuyên truyền…".

Syntax (see `models.ReportItem`): ``{code}``, ``{code.self}``, ``{code.children}``,
``{code.prev}``, ``{code.subjects}``, ``{code.units}``, ``{code.names}`` (e.g. the
congresses held; what the money sent up was for, `Transfer.purpose`), ``{code:02}``; context
words ``{unit.kind}``, ``{unit.kind_lower}``, ``{unit.name}``, ``{unit.party_committee}``
("Đảng ủy phường", "Quận ủy", "Thị ủy"…), ``{child.kind_lower}``, ``{child.kind_plural}``
("các phường", "các xã, thị trấn"), ``{parent.kind}``, ``{parent.name}``,
``{parent.party_committee}``, ``{period}``, ``{period_short}``, ``{year}`` (`wording.py`).
``[[ … ]]`` is left out when every figure in it is zero or empty; a sentence
whose figures are all zero or empty is left out. Only these placeholders
exist: a template cannot reach attributes or call code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mattran.core.vietnamese import format_number

from .figures import Figure, Rate, Value

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?(?::(0\d))?\}")
GROUP = re.compile(r"\[\[(.*?)\]\]", re.S)
CONTEXT_NAMES = {"unit", "child", "parent", "period", "period_short", "year"}


@dataclass(frozen=True)
class NarrativeContext:
    words: dict[str, str]  # "unit.kind" -> "Quận", "period" -> "9 tháng đầu năm 2023"
    figures: dict[str, Figure]


def strip_kind(name: str, kind: str) -> str:
    """ "Phường Láng Thượng" → "Láng Thượng" (lists in reports drop the repeated kind)."""
    if kind and name.lower().startswith(kind.lower() + " "):
        return name[len(kind) + 1 :]
    return name


def _number(value: Value, pad: str | None) -> str:
    if isinstance(value, Rate):
        return str(value)
    if value is None:
        return ""
    if pad and 0 <= value < 10 ** int(pad[1]):
        return str(value).zfill(int(pad[1]))
    return format_number(value)


def _resolve(match: re.Match, ctx: NarrativeContext) -> tuple[str, bool | None]:
    """(text, empty?) for one placeholder; empty is None for context words."""
    code, part, pad = match.group(1), match.group(2), match.group(3)
    if code in CONTEXT_NAMES:
        key = f"{code}.{part}" if part else code
        return ctx.words.get(key, ""), None
    fig = ctx.figures.get(code)
    if fig is None:
        return match.group(0), None  # unknown code: leave visible so the admin sees it
    if not fig.available:
        return "", True
    if part == "subjects":
        items = fig.subjects.get(0, [])
        return "; ".join(items), not items
    if part == "names":
        items = fig.names.get(0, [])
        return "; ".join(items), not items
    if part == "units":
        items = fig.units.get(0, [])
        return ", ".join(strip_kind(n, k) for n, k in items), not items
    value = {
        None: fig.totals.get(0),
        "total": fig.totals.get(0),
        "self": fig.own.get(0),
        "children": fig.children.get(0),
        "prev": fig.totals.get(1),
    }.get(part, fig.totals.get(0))
    return _number(value, pad), not value


def _render(text: str, ctx: NarrativeContext) -> tuple[str, int, bool]:
    """Substitute placeholders: (result, number of figures, every figure empty?)."""
    empties: list[bool] = []

    def sub(m: re.Match) -> str:
        out, empty = _resolve(m, ctx)
        if empty is not None:
            empties.append(empty)
        return out

    out = PLACEHOLDER.sub(sub, text)
    return out, len(empties), all(empties)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,;.:)])", r"\1", text)
    text = re.sub(r"([,;])\1+", r"\1", text)
    text = re.sub(r"^(?:[,;:]\s*|và\s+)+", "", text)
    text = re.sub(r"[,;]\s*([.;])$", r"\1", text)
    if not re.search(r"\w", text):
        return ""
    return text[0].upper() + text[1:]


def sentence_render(template: str, ctx: NarrativeContext) -> str:
    """One sentence, or "" when it has nothing to say."""
    groups_said = [False]

    def group(m: re.Match) -> str:
        out, n, empty = _render(m.group(1), ctx)
        if n and empty:
            return ""
        groups_said[0] = True
        return out

    had_groups = GROUP.search(template) is not None
    body = GROUP.sub(group, template)
    body, n, empty = _render(body, ctx)
    if not groups_said[0] and ((n and empty) or (had_groups and not n)):
        return ""
    return _tidy(body)


def paragraph_render(sentences: list[str], ctx: NarrativeContext) -> str:
    return " ".join(s for s in (sentence_render(t, ctx) for t in sentences if t.strip()) if s)
