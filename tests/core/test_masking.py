"""mask_personal on generated phone and account numbers (Hypothesis).

Phones and accounts are written in every grouping and separator people use
(space, dot, comma, slash, dash, underscore, parentheses, +84, mixed, split by
a line wrap); around them sit dates and grouped amounts, which must survive.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mattran.core.vietnamese import format_number, mask_personal
from mattran.funds.services import search_key_for

SEPARATORS = [" ", ".", ",", "/", "-", "_", "\n", "\r\n", " - ", ". ", ", ", " / ", "\u00a0"]


@st.composite
def phone_or_account(draw) -> tuple[str, str]:
    """(the number as written, its digits)."""
    kind = draw(st.sampled_from(["mobile", "landline", "intl", "account"]))
    if kind == "mobile":
        number = (
            "0"
            + draw(st.sampled_from("35789"))
            + draw(st.text("0123456789", min_size=8, max_size=8))
        )
        first_sizes = [3, 4, 5]
    elif kind == "landline":
        number = "02" + draw(st.text("0123456789", min_size=9, max_size=9))
        first_sizes = [3, 4]
    elif kind == "intl":
        number = draw(st.sampled_from("35789")) + draw(
            st.text("0123456789", min_size=8, max_size=8)
        )
        first_sizes = [2, 3]
    else:
        # Account numbers: 8–19 digits, ungrouped or in groups of 4+ (as printed
        # on cards and statements). Grouped exactly like an amount
        # ("190.367.891.234") they cannot be told from one: a documented limit.
        number = draw(st.text("0123456789", min_size=8, max_size=19))
        first_sizes = [4, 5, 6]
    groups: list[str] = []
    rest = number
    if draw(st.booleans()):
        size = draw(st.sampled_from(first_sizes))
        groups.append(rest[:size])
        rest = rest[size:]
        while rest:
            low = 4 if kind == "account" else 2
            size = draw(st.integers(min_value=low, max_value=7))
            if len(rest) - size < low:
                size = len(rest)
            groups.append(rest[:size])
            rest = rest[size:]
    else:
        groups = [rest]
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in groups[1:]]
    first = groups[0]
    if len(groups) > 1 and kind in ("mobile", "landline") and draw(st.booleans()):
        first = f"({first})"  # (091) 2345678
        seps[0] = draw(st.sampled_from(["", " "]))
    written = first + "".join(s + g for s, g in zip(seps, groups[1:], strict=True))
    if kind == "intl":
        prefix = draw(st.sampled_from(["+84", "+84 ", "84 ", "(+84) ", "0084 ", "+84."]))
        written = prefix + written
        number = "84" + number
    return written, number


@st.composite
def amount(draw) -> str:
    n = draw(st.integers(min_value=1_000, max_value=10**13))
    style = draw(st.sampled_from([".", ",", " đồng", " đ"]))
    if style in (".", ","):
        return format_number(n).replace(".", style)
    return format_number(n).replace(".", " ") + style


@st.composite
def date_text(draw) -> str:
    d = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
    return draw(
        st.sampled_from(
            [
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                f"{d.day}/{d.month}/{d.year}",
                f"{d.day:02d}.{d.month:02d}.{d.year}",
                f"{d.day:02d}-{d.month:02d}-{d.year}",
                f"{d.year}-{d.month:02d}-{d.day:02d}",
                f"{d.month:02d}/{d.year}",
            ]
        )
    )


def _unmasked_digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


@settings(max_examples=300)
@given(phone_or_account(), amount(), date_text(), st.sampled_from(["sdt", "STK", "LH", "-", "("]))
@example(("0912.345678", "0912345678"), "50.000", "12/09/2024", "sdt")
@example(("0987 654321", "0987654321"), "1,000,000", "01-09-2024", "sdt")
@example(("0912,345,678", "0912345678"), "200.000", "2024-09-12", "sdt")
@example(("(091) 2345678", "0912345678"), "10 000 000 đồng", "09/2024", "LH")
@example(("+84 912 345 678", "84912345678"), "3.000.000", "1/9/2024", "sdt")
@example(("0912 345\n678", "0912345678"), "500.000", "12.09.2024", "sdt")
def test_phones_and_accounts_are_masked_dates_and_amounts_stay(number, money, day, label):
    written, digits = number
    text = f"Ung ho {money} ngay {day}, {label} {written} xin cam on"
    masked = mask_personal(text)
    assert len(masked) == len(text)
    start = text.index(written)
    shown = masked[start : start + len(written)]
    assert _unmasked_digits(shown) <= 3, (written, shown)
    # same text, separators kept, only digits turned into "*"
    assert all(a == b or (a.isdigit() and b == "*") for a, b in zip(text, masked, strict=True))
    assert money in masked and day in masked
    # the search key is built from the masked text: the number cannot be looked up
    words = set(search_key_for("", text).split())
    context = set(search_key_for("", text.replace(written, " ")).split())
    from_number = words - context
    assert digits not in words
    assert all(len(w) <= 3 for w in from_number if w.isdigit()), from_number
