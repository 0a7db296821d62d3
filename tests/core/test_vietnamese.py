"""Tests for mattran.core.vietnamese (pure Python, no database)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mattran.core.vietnamese import (
    fold,
    format_date,
    format_date_decree30,
    format_money,
    format_number,
    format_percent,
    mask_personal,
    money_in_words,
    nfc,
)

VIETNAMESE_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
vietnamese_text = st.text(
    alphabet=VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper() + " \t\n", max_size=60
)


# --------------------------------------------------------------------------- text


def test_nfc_normalises_and_collapses_whitespace():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị\n Hoà ")
    assert nfc(decomposed) == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


@pytest.mark.parametrize(
    "text",
    ["Hoà", "Hòa", "HOÀ", "HÒA", "HOA", "hoa", "  hoà ", unicodedata.normalize("NFD", "Hoà")],
)
def test_fold_both_tone_placements_and_cases_give_one_key(text):
    assert fold(text) == "hoa"


def test_fold_examples():
    assert fold("Thuý") == fold("Thúy") == "thuy"
    assert fold("Đặng  Văn\tĐức") == "dang van duc"
    assert fold("Nguyễn Thị Hòa nộp tiền ủng hộ lũ lụt") == "nguyen thi hoa nop tien ung ho lu lut"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(vietnamese_text)
def test_fold_of_vietnamese_is_plain_ascii_and_case_blind(text):
    key = fold(text)
    assert key.isascii()
    assert key == fold(text.upper()) == fold(text.lower())
    assert "  " not in key and key == key.strip()


# ------------------------------------------------------------------------ numbers


def test_format_number_and_money():
    assert format_number(2_366_435_000) == "2.366.435.000"
    assert format_number(0) == "0"
    assert format_number(999) == "999"
    assert format_number(-1_234_567) == "-1.234.567"
    assert format_number(Decimal("1234567.5")) == "1.234.567,5"
    assert format_money(2_366_435_000) == "2.366.435.000 đ"
    assert format_money(50_000) == "50.000 đ"


@pytest.mark.parametrize("bad", [1.5, "1000", True, None])
def test_format_number_rejects_non_numbers(bad):
    with pytest.raises(TypeError):
        format_number(bad)


def test_format_money_wants_whole_dong():
    with pytest.raises(TypeError):
        format_money(Decimal("1.5"))


@pytest.mark.parametrize(
    ("numerator", "denominator", "digits", "expected"),
    [
        (86, 92, 1, "93,5%"),
        (1, 8, 1, "12,5%"),
        (1, 16, 1, "6,3%"),  # 6.25 → half-up 6.3 (half-even would give 6,2)
        (1, 40, 0, "3%"),  # 2.5 → 3
        (1, 3, 2, "33,33%"),
        (2, 3, 2, "66,67%"),
        (92, 92, 1, "100,0%"),
        (0, 5, 1, "0,0%"),
        (10**6, 3, 1, "33.333.333,3%"),
    ],
)
def test_format_percent_rounds_half_up(numerator, denominator, digits, expected):
    assert format_percent(numerator, denominator, digits) == expected


def test_format_percent_zero_denominator():
    with pytest.raises(ValueError, match="mẫu số bằng 0"):
        format_percent(1, 0)


# ------------------------------------------------------------------ money in words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_005_000, "một triệu không trăm linh năm nghìn đồng"),
        (
            1_413_860_796,
            "một tỷ bốn trăm mười ba triệu tám trăm sáu mươi nghìn bảy trăm chín mươi sáu đồng",
        ),
        (2_366_435_000, "hai tỷ ba trăm sáu mươi sáu triệu bốn trăm ba mươi lăm nghìn đồng"),
        (200_000_000, "hai trăm triệu đồng"),
        (0, "không đồng"),
        (1, "một đồng"),
        (4, "bốn đồng"),
        (5, "năm đồng"),
        (10, "mười đồng"),
        (11, "mười một đồng"),
        (14, "mười bốn đồng"),
        (15, "mười lăm đồng"),
        (20, "hai mươi đồng"),
        (21, "hai mươi mốt đồng"),
        (24, "hai mươi tư đồng"),
        (25, "hai mươi lăm đồng"),
        (101, "một trăm linh một đồng"),
        (104, "một trăm linh bốn đồng"),
        (105, "một trăm linh năm đồng"),
        (110, "một trăm mười đồng"),
        (115, "một trăm mười lăm đồng"),
        (1_000, "một nghìn đồng"),
        (1_005, "một nghìn không trăm linh năm đồng"),
        (1_010, "một nghìn không trăm mười đồng"),
        (1_000_001, "một triệu không trăm linh một đồng"),
        (1_001_001, "một triệu không trăm linh một nghìn không trăm linh một đồng"),
        (2_000_500, "hai triệu năm trăm đồng"),
        (2_000_015_000, "hai tỷ không trăm mười lăm nghìn đồng"),
        (1_000_000_000, "một tỷ đồng"),
        (1_000_000_000_000, "một nghìn tỷ đồng"),
        (10_000_000_000_000, "mười nghìn tỷ đồng"),
        (1_005_000_000_000, "một nghìn không trăm linh năm tỷ đồng"),
        (10**18, "một tỷ tỷ đồng"),
    ],
)
def test_money_in_words_examples(amount, words):
    assert money_in_words(amount) == words


def test_money_in_words_capitalize():
    assert money_in_words(2_366_435_000, capitalize=True).startswith("Hai tỷ ba trăm")
    assert money_in_words(0, capitalize=True) == "Không đồng"


def test_money_in_words_rejects_bad_input():
    with pytest.raises(ValueError):
        money_in_words(-1)
    for bad in (1.0, Decimal(1), "1", True, None):
        with pytest.raises(TypeError):
            money_in_words(bad)


_WORD_DIGITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def _words_to_number(text: str) -> int:
    """An independent reader of the words, used only to cross-check the writer."""
    words = text.split()
    assert words.pop() == "đồng"
    above, below, group, pending = 0, 0, 0, 0
    for word in words:
        if word in _WORD_DIGITS:
            pending = _WORD_DIGITS[word]
        elif word == "trăm":
            group, pending = group + pending * 100, 0
        elif word == "mươi":
            group, pending = group + pending * 10, 0
        elif word == "mười":
            group += 10
        elif word == "linh":
            pass
        elif word == "nghìn":
            below, group, pending = below + (group + pending) * 1000, 0, 0
        elif word == "triệu":
            below, group, pending = below + (group + pending) * 10**6, 0, 0
        elif word == "tỷ":
            above, below, group, pending = (above + below + group + pending) * 10**9, 0, 0, 0
        else:
            raise AssertionError(f"unexpected word {word!r}")
    return above + below + group + pending


@given(st.integers(min_value=0, max_value=10**16))
@example(1_005_000)
@example(10**12 + 1)
def test_money_in_words_reads_back_and_is_well_formed(amount):
    text = money_in_words(amount)
    assert text.endswith(" đồng") or text == "không đồng"
    assert "  " not in text and text == text.strip()
    assert _words_to_number(text) == amount
    # "mốt"/"tư" only after "mươi"; "lăm" only after "mười"/"mươi"; "linh" never before "mươi".
    assert not re.search(r"(?<!mươi) (mốt|tư)\b", text)
    assert not re.search(r"(?<!mươi)(?<!mười) lăm\b", text)
    assert "linh mười" not in text and "linh không" not in text


# -------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 6, 29), "ngày 29 tháng 6 năm 2019"),
        (date(2020, 1, 5), "ngày 05 tháng 01 năm 2020"),
        (date(2023, 11, 3), "ngày 03 tháng 11 năm 2023"),
        (date(2023, 9, 14), "ngày 14 tháng 9 năm 2023"),
        (date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),
        (date(2024, 3, 1), "ngày 01 tháng 3 năm 2024"),
        (date(2024, 12, 10), "ngày 10 tháng 12 năm 2024"),
    ],
)
def test_format_date_decree30(day, expected):
    assert format_date_decree30(day) == expected


def test_format_date_decree30_pads_only_january_and_february():
    for month in range(1, 13):
        text = format_date_decree30(date(2024, month, 15))
        assert (f"tháng 0{month} " in text) == (month <= 2)


def test_format_date():
    assert format_date(date(2023, 9, 14)) == "14/09/2023"
    assert format_date(date(2020, 1, 5)) == "05/01/2020"


# ------------------------------------------------------------------------ masking

MEMO = (
    "MBVCB.6988037405.015997.NGUYEN VAN A chuyen tien ung ho.CT tu 0071000123456 "
    "NGUYEN VAN A toi 0011001932418 MAT TRAN TO QUOC VN - BAN CUU TRO TW"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MEMO,
            "MBVCB.*******405.015997.NGUYEN VAN A chuyen tien ung ho.CT tu **********456 "
            "NGUYEN VAN A toi **********418 MAT TRAN TO QUOC VN - BAN CUU TRO TW",
        ),
        # the VCB SMS-fee debit row: a phone number, an ungrouped small amount
        (
            "THU PHI DICH VU SMS CHU DONG THANG 08/2024. SDT: 0904321618. So tien 55000 VND",
            "THU PHI DICH VU SMS CHU DONG THANG 08/2024. SDT: *******618. So tien 55000 VND",
        ),
        # MoMo memo on the VietinBank statement: transaction id and phone glued by "-"
        (
            "66686960533-0979828575-TRAN THANH HOA ung ho",
            "********533-*******575-TRAN THANH HOA ung ho",
        ),
        ("goi 0912 345 678 hoac 0912.345.678", "goi **** *** 678 hoac ****.***.678"),
        ("+84 912 345 678 / +84912345678", "+** *** *** 678 / +********678"),
        ("(+84) 912 345 678", "(+**) *** *** 678"),
        # the formats the first masking missed (issue 9)
        ("0912.345678", "****.***678"),
        ("0987 654321", "**** ***321"),
        ("0912,345,678", "****,***,678"),
        ("(091) 2345678", "(***) ****678"),
        ("0912_345_678 va 0912/345/678", "****_***_678 va ****/***/678"),
        ("sdt 0912 345\n678 nhe", "sdt **** ***\n678 nhe"),  # split by a line wrap
        ("0912-345.678", "****-***.678"),  # mixed separators
        ("+84 912.345.678", "+** ***.***.678"),  # +84: a phone, not an amount
        ("0912 12/2024", "**** **/*024"),  # a leading zero: not a month/year
        ("024 3825 1234", "*** **** *234"),  # landline
        ("STK 0071 0001 23456", "STK **** **** **456"),
        ("Ung ho FT24253610112251", "Ung ho FT***********251"),
        # NAPAS trace.ddmmyy.hhmmss: short groups joined read as one 18-digit number
        ("292976.010924.013647.xin cam on", "******.******.***647.xin cam on"),
    ],
)
def test_mask_personal_masks_accounts_phones_and_references(text, expected):
    assert mask_personal(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ung ho 50.000 va 500000 dong",
        "so du 10.847.331.843",
        "CreditAmount 200,000 Balance 34,020,836,520",
        "1.000.000.000 dong",
        "1 000 000 dong",
        "10 000 000 đồng",
        "ung ho 1.000.000,00 VND",
        "nam hoc 2024-2025, ngay 2024-09-12",
        "12/09/2024 va 01-09-2024",
        "ngay 12.09.2024 luc 21:09:44",
        "VCB.CTDK.31/03/2024.ADIDA PHAT",
        "1234567",
        "bao so 3 (CT1111) 93,5%",
    ],
)
def test_mask_personal_leaves_amounts_dates_and_short_numbers(text):
    assert mask_personal(text) == text


@given(st.text(alphabet="0123456789 .,-+/:abcDEF", max_size=80))
def test_mask_personal_never_leaves_eight_digits_in_a_row(text):
    masked = mask_personal(text)
    assert len(masked) == len(text)
    assert not re.search(r"\d{8,}", masked)
    assert all(a == b or (a.isdigit() and b == "*") for a, b in zip(text, masked, strict=True))
