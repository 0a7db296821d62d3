"""The one Vietnamese number parser (core.vietnamese.parse_integer) and its form field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mattran.core.forms import AmountField, IntegerInputField
from mattran.core.vietnamese import MAX_AMOUNT, NumberError, format_number, parse_integer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("1234567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("201.000.000", 201_000_000),
        ("1\u00a0234\u202f567".replace("\u202f", "\u00a0"), 1_234_567),  # no-break spaces
        ("  42 ", 42),
        ("0", 0),
        ("1.500", 1_500),  # the dot groups thousands in Vietnamese
        ("1.000.000.000.000.000", MAX_AMOUNT),
        ("", None),
        ("   ", None),
        (None, None),
        (12, 12),
        (12.0, 12),  # an XLSX number cell
        (Decimal("7"), 7),
    ],
)
def test_accepts_grouped_thousands(text, expected):
    assert parse_integer(text, max_value=MAX_AMOUNT) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.5", "có phần thập phân"),
        ("12,34", "có phần thập phân"),
        ("1,234", "không rõ nghĩa"),  # English thousands or Vietnamese decimal
        ("1.234,5", "dùng lẫn"),
        ("1,234.567", "dùng lẫn"),
        ("²", "không phải chữ số 0–9"),
        ("１２３", "không phải chữ số 0–9"),
        ("١٢٣", "không phải chữ số 0–9"),
        ("-5", "số âm"),
        ("−5", "số âm"),
        ("+5", "dấu +"),
        (-5, "số âm"),
        ("12.34.567", "không đúng hàng nghìn"),
        ("1 23", "không đúng hàng nghìn"),
        ("0.500", "có phần thập phân"),
        ("1000000000000001", "lớn hơn mức tối đa 1.000.000.000.000.000"),
        (10**15 + 1, "lớn hơn mức tối đa"),
        ("mười", "không phải là số nguyên"),
        ("5 người", "không phải là số nguyên"),
        (1.5, "có phần thập phân"),
        (float("inf"), "không phải là số"),
        (True, "đúng/sai"),
    ],
)
def test_refuses_what_it_cannot_read_for_sure(value, message):
    with pytest.raises(NumberError) as exc:
        parse_integer(value, max_value=MAX_AMOUNT)
    assert message in exc.value.message


def test_currency_suffix_only_for_amounts():
    assert parse_integer("200.000 đ", currency=True) == 200_000
    assert parse_integer("200.000 đồng", currency=True) == 200_000
    assert parse_integer("1.000 VND", currency=True) == 1_000
    with pytest.raises(NumberError):
        parse_integer("200.000 đ")


def test_counts_default_to_an_integer_column():
    assert parse_integer("2.147.483.647") == 2**31 - 1
    with pytest.raises(NumberError, match="tối đa 2.147.483.647"):
        parse_integer("2.147.483.648")


@given(st.integers(min_value=0, max_value=MAX_AMOUNT), st.sampled_from([".", " ", ","]))
def test_every_grouping_of_a_number_reads_back(n, sep):
    grouped = format_number(n).replace(".", sep)
    if sep == "," and grouped.count(",") == 1:
        with pytest.raises(NumberError):  # "1,234" is ambiguous: refused, never guessed
            parse_integer(grouped, max_value=MAX_AMOUNT)
    else:
        assert parse_integer(grouped, max_value=MAX_AMOUNT) == n
    assert parse_integer(str(n), max_value=MAX_AMOUNT) == n


@given(st.text(max_size=12))
def test_never_returns_anything_but_an_int_it_was_given(text):
    try:
        value = parse_integer(text, max_value=MAX_AMOUNT)
    except NumberError:
        return
    if value is None:
        assert not text.strip()
    else:
        digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
        assert value == int(digits)


def test_form_fields_use_the_parser():
    field = IntegerInputField(required=False)
    assert field.clean("1.234") == 1234 and field.clean("") is None
    assert field.prepare_value(201_000_000) == "201.000.000"
    assert field.widget.input_type == "text" and field.widget.attrs["inputmode"] == "numeric"
    amount = AmountField()
    assert amount.clean("1.005.000 đ") == 1_005_000
    for bad, message in [("0", "lớn hơn 0"), ("1.5", "thập phân"), ("１２３", "0–9")]:
        with pytest.raises(Exception) as exc:
            amount.clean(bad)
        assert message in " ".join(exc.value.messages)


@settings(deadline=None)  # the first call imports Babel's locale data
@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_format_number_of_an_integer_is_babels_vietnamese_grouping(n):
    """format_number formats integers itself (fast path for pages of thousands of
    figures); the text is exactly Babel's CLDR "vi" grouping."""
    from babel.numbers import format_decimal

    assert format_number(n) == format_decimal(n, locale="vi")
