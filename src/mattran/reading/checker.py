"""Check the figures a text states: rates against their counts, parts against
wholes, products, the system's own figure, and jumps from the previous year.

Every warning names the sentence it is about and says why, in Vietnamese.
Works on a `finder.Reading`, so it checks an uploaded report, a generated
report's narrative and a news draft alike.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from mattran.core.vietnamese import format_number
from mattran.reports import catalogue

from .finder import Figure, Reading, read_text

DEFAULT_JUMP = Decimal(2)  # a figure more than 2× or under ½ of last year's is flagged

# rate key -> (numerator key, denominator key)
RATE_OF = {"ty_le_hoa_giai_thanh": ("hoa_giai_thanh", "hoa_giai_tiep_nhan")}


@dataclass
class Warning:
    code: str
    severity: str  # "error": a slip; "warning": worth a look; "info": derived
    message: str
    sentence: str
    sentence_index: int
    figure_texts: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def _vi(d: Decimal | int) -> str:
    if isinstance(d, Decimal) and d == d.to_integral_value():
        d = int(d)
    return format_number(d)


def _digits(text: str) -> int:
    m = re.search(r"\d+[.,](\d+)", text)
    return len(m.group(1)) if m else 0


def _check_rate(rate: Figure, part: Figure, whole: Figure) -> Warning | None:
    if not whole.value:
        return None
    printed = Decimal(rate.value)
    digits = _digits(rate.text)
    q = Decimal(1).scaleb(-digits)
    exact = Decimal(int(part.value)) * 100 / Decimal(int(whole.value))
    rounded = exact.quantize(q, rounding=ROUND_HALF_UP)
    if rounded == printed or not rate.exact:
        return None
    truncated = exact.quantize(q, rounding=ROUND_DOWN)
    why = (
        "số in ra bị cắt bớt chữ số thay vì làm tròn"
        if truncated == printed
        else "số in ra không khớp với hai số đếm"
    )
    return Warning(
        code="rate_mismatch",
        severity="error",
        message=(
            f"Tỷ lệ “{rate.text}” sai: {_vi(part.value)}/{_vi(whole.value)} = "
            f"{_vi(exact.quantize(Decimal('0.001')))}%, làm tròn là {_vi(rounded)}%; {why}."
        ),
        sentence=rate.sentence,
        sentence_index=rate.sentence_index,
        figure_texts=[part.text, rate.text],
    )


def _rates(reading: Reading) -> list[Warning]:
    out = []
    figs = reading.figures
    for rate in (f for f in figs if f.kind == "rate"):
        same = [f for f in figs if f.sentence_index == rate.sentence_index and f.start < rate.start]
        parts = [f for f in same if f.role == "part"]
        if parts:
            part = parts[-1]
            whole = next((f for f in figs if f.pair_id == part.pair_id and f.role == "whole"), None)
            if whole is None:
                continue
        elif rate.key in RATE_OF:
            a_key, b_key = RATE_OF[rate.key]
            part = next((f for f in reversed(same) if f.key == a_key), None)
            whole = next((f for f in reversed(same) if f.key == b_key), None)
            if part is None or whole is None:
                continue
        else:
            continue
        w = _check_rate(rate, part, whole)
        if w:
            out.append(w)
    return out


def _parts(reading: Reading) -> list[Warning]:
    out = []
    figs = reading.figures
    # a ratio whose part exceeds its whole
    for part in (f for f in figs if f.role == "part"):
        whole = next((f for f in figs if f.pair_id == part.pair_id and f.role == "whole"), None)
        if whole is not None and part.value > whole.value:
            out.append(
                Warning("part_exceeds_whole", "error",
                        f"“{part.text}”: phần ({_vi(part.value)}) lớn hơn tổng ({_vi(whole.value)}).",
                        part.sentence, part.sentence_index, [part.text])
            )  # fmt: skip
    # the catalogue's compare rules (resolved ≤ received ...) on stated figures
    for code, _name, kind, _sev, extra, _msg in catalogue.RULES:
        if kind != "compare" or extra.get("op") != "le":
            continue
        for left in (f for f in figs if f.key == extra["left"] and f.exact):
            right = next(
                (g for g in figs if g.key == extra["right"] and g.unit == left.unit
                 and g.unit_name == left.unit_name and g.exact),
                None,
            )  # fmt: skip
            if right is not None and left.value > right.value and left.pair_id is None:
                out.append(
                    Warning(code, "error",
                            f"{left.key_name} ({_vi(left.value)}) lớn hơn {right.key_name} "
                            f"({_vi(right.value)}).",
                            left.sentence, left.sentence_index, [left.text, right.text])
                )  # fmt: skip
    # "tổng ... X đồng, trong đó A đồng, B đồng": the parts may not exceed X
    for s_index in {f.sentence_index for f in figs}:
        s_start, s_end = reading.sentence_spans[s_index]
        sent = reading.text[s_start:s_end]
        m = re.search(r"trong đó", sent)
        if not m:
            continue
        cut = s_start + m.start()
        money = [f for f in figs if f.sentence_index == s_index and f.kind == "money"]
        wholes = [f for f in money if f.start < cut]
        parts = [f for f in money if f.start > cut and f.role != "per_item"]
        if not wholes or not parts:
            continue
        whole = wholes[-1]
        total = sum(int(p.value) for p in parts)
        lower_bound = sum(int(p.value) for p in parts if p.direction in ("", "trên"))
        if whole.direction in ("", "dưới") and lower_bound > whole.value:
            out.append(
                Warning("parts_exceed_total", "error",
                        f"Các khoản “trong đó” cộng lại {_vi(total)} đồng, lớn hơn tổng "
                        f"“{whole.text}”.",
                        whole.sentence, s_index, [whole.text] + [p.text for p in parts])
            )  # fmt: skip
    return out


_TOTAL_WORD = re.compile(
    r"(?:tổng(?: số tiền| trị giá| kinh phí)?|với số tiền|trị giá|số tiền)\s*(?:là\s*)?$",
    re.IGNORECASE,
)


def _products(reading: Reading) -> list[Warning]:
    """N items, each worth V: the product, and the stated total when there is one."""
    out = []
    text = reading.text
    figs = reading.figures
    for i, per in enumerate(figs):
        if per.kind != "money":
            continue
        if per.role != "per_item":
            continue
        s_start, _ = reading.sentence_spans[per.sentence_index]
        items = [
            f for f in figs[:i]
            if f.sentence_index == per.sentence_index and f.kind == "count" and f.role == ""
        ]  # fmt: skip
        if not items:
            continue
        items_all = [
            f for f in figs if f.sentence_index == per.sentence_index and f.kind == "count"
        ]
        n = items[-1]
        product = int(n.value) * int(per.value)
        totals = [
            f for f in figs
            if f.sentence_index == per.sentence_index and f.kind == "money" and f is not per
            and f.start > n.start and _TOTAL_WORD.search(text[max(s_start, f.start - 25) : f.start])
            and not [g for g in items_all if n.start < g.start < f.start]
        ]  # fmt: skip
        if totals:
            t = totals[0]
            ok = (
                t.value == product
                or (t.direction == "trên" and product > t.value)
                or (t.direction == "dưới" and product < t.value)
                or (t.direction == "khoảng" and abs(product - t.value) <= t.value // 10)
            )
            if not ok:
                out.append(
                    Warning("product_mismatch", "error",
                            f"{_vi(n.value)} {n.unit_label} × {_vi(per.value)} đồng = {_vi(product)} "
                            f"đồng, nhưng tổng ghi “{t.text}”.",
                            per.sentence, per.sentence_index, [n.text, per.text, t.text])
                )  # fmt: skip
            continue
        out.append(
            Warning("product", "info",
                    f"{_vi(n.value)} {n.unit_label} × {_vi(per.value)} đồng = {_vi(product)} đồng "
                    f"(tổng suy ra, bài không ghi tổng).",
                    per.sentence, per.sentence_index, [n.text, per.text])
        )  # fmt: skip
    return out


def _against(
    reading: Reading,
    values: dict[str, int | dict],
    *,
    code: str,
    what: str,
    jump: Decimal | None = None,
) -> list[Warning]:
    out = []
    seen: set[tuple[str, str]] = set()
    for f in reading.figures:
        if not f.key or f.key not in values or f.unit == "named" or f.kind == "rate":
            continue
        if (f.key, f.unit) in seen or f.role == "per_item":
            continue
        seen.add((f.key, f.unit))
        sys_value = values[f.key]
        if isinstance(sys_value, dict):  # by whose figure: unit, own office, children
            sys_value = sys_value.get(f.unit)
        elif f.unit != "unit":
            continue
        if sys_value is None:
            continue
        if jump is None:
            differs = (
                (f.exact and f.value != sys_value)
                or (f.direction == "trên" and sys_value <= f.value)
                or (f.direction == "dưới" and sys_value >= f.value)
            )
            if differs:
                out.append(
                    Warning(code, "warning",
                            f"{f.key_name}: bài ghi “{f.text}”, {what} ghi {_vi(sys_value)}.",
                            f.sentence, f.sentence_index, [f.text])
                )  # fmt: skip
            continue
        if sys_value <= 0:
            continue
        ratio = Decimal(int(f.value)) / Decimal(sys_value)
        if ratio > jump or ratio < 1 / jump:
            out.append(
                Warning(code, "warning",
                        f"{f.key_name}: “{f.text}” so với cùng kỳ năm trước ({_vi(sys_value)}) "
                        f"{'tăng' if ratio > 1 else 'giảm'} {_vi(ratio.quantize(Decimal('0.1')))} lần, "
                        f"vượt ngưỡng {_vi(jump)} lần; xin kiểm tra lại.",
                        f.sentence, f.sentence_index, [f.text])
            )  # fmt: skip
    return out


def _lists(reading: Reading) -> list[Warning]:
    out = []
    for lf in reading.lists:
        if abs(len(lf.items) - lf.count) > 0:
            out.append(
                Warning("list_count", "info",
                        f"Bài nêu {lf.count} {lf.noun}, tách theo dấu chấm phẩy được {len(lf.items)} ý.",
                        lf.sentence, -1, [str(lf.count)])
            )  # fmt: skip
    return out


def check(
    reading: Reading,
    *,
    system: dict[str, int | dict] | None = None,
    previous: dict[str, int | dict] | None = None,
    jump: Decimal = DEFAULT_JUMP,
) -> list[Warning]:
    warnings = _products(reading) + _rates(reading) + _parts(reading) + _lists(reading)
    if system:
        warnings += _against(reading, system, code="system_mismatch", what="hệ thống")
    if previous:
        warnings += _against(reading, previous, code="year_on_year", what="năm trước", jump=jump)
    warnings.sort(key=lambda w: (w.sentence_index, w.severity != "error"))
    return warnings


def check_text(text: str) -> list[Warning]:
    """The slips (errors only) in a text the product itself wrote: a report, a news draft."""
    return [w for w in check(read_text(text)) if w.severity == "error"]
