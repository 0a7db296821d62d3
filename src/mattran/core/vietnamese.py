"""Vietnamese text, number, money and date helpers (pure Python, no Django)."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_decimal

from mattran.core.errors import UserFacingError

__all__ = [
    "fold",
    "format_date",
    "format_date_decree30",
    "format_money",
    "format_number",
    "format_percent",
    "mask_personal",
    "money_in_words",
    "nfc",
    "MAX_AMOUNT",
    "MAX_COUNT",
    "NumberError",
    "parse_integer",
]

_WHITESPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------- text


def nfc(text: str) -> str:
    """NFC-normalise, strip and collapse internal whitespace (newlines included)."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, đ→d, single spaces ("Hoà"/"HÒA" → "hoa")."""
    lowered = nfc(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


# ------------------------------------------------------------------------ numbers
#
# Babel (CLDR "vi") gives exactly the grouping we need ("2.366.435.000") and is a
# project dependency, so it does the formatting. It rounds half-even, though
# (Decimal("0.25") → "0,2"), so format_percent rounds half-up itself first and
# hands Babel a value that needs no further rounding.


def _check_number(n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int | Decimal):
        raise TypeError(f"Cần một số nguyên hoặc Decimal, nhận được {type(n).__name__}")


def format_number(n: int | Decimal) -> str:
    """Vietnamese grouping: 2366435000 → "2.366.435.000" (Decimal: comma, ≤ 3 decimals)."""
    _check_number(n)
    if isinstance(n, int):
        # The same text as Babel's "vi" grouping, without its per-call locale lookups
        # (a roll-up of 126 wards formats thousands of numbers per page).
        return f"{n:,}".replace(",", ".")
    return format_decimal(n, locale="vi")


def format_money(n: int) -> str:
    """Whole đồng: 2366435000 → "2.366.435.000 đ"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"Số tiền phải là số nguyên đồng, nhận được {type(n).__name__}")
    return f"{format_number(n)} đ"


def format_percent(numerator: int, denominator: int, digits: int = 1) -> str:
    """Percentage rounded half-up: (86, 92) → "93,5%"; denominator 0 raises ValueError."""
    for value in (numerator, denominator, digits):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"Cần số nguyên, nhận được {type(value).__name__}")
    if denominator == 0:
        raise ValueError("Không tính được tỷ lệ phần trăm khi mẫu số bằng 0")
    if digits < 0:
        raise ValueError("Số chữ số thập phân không được âm")
    with localcontext() as ctx:
        ctx.prec = max(28, len(str(abs(numerator))) + len(str(abs(denominator))) + digits + 5)
        value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
            Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
        )
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale="vi") + "%"


# ------------------------------------------------------------------ number input
#
# The one parser of typed counts and amounts (forms, XLSX cells, the API).
# Vietnamese writes thousands with dots ("1.234.567") and decimals with a comma,
# offices also paste "1 234 567" and "1,234,567". Every count and amount we take
# is a whole number, so the rule is: digits, optionally grouped in thousands by
# ONE kind of separator (dot, comma or space), first group 1–3 digits without a
# leading zero, every later group exactly 3 digits. Anything else is refused
# with a message, never guessed: "1.5"/"12,34" (a decimal), "1.234,5" (mixed),
# "1,234" (one comma: 1,234 in English but 1,234 = 1.234 decimal in Vietnamese),
# "²" and "１２３" (not the digits 0–9: NFKC would silently turn "²" into 2),
# negatives, and anything over the field's maximum.

MAX_AMOUNT = 10**15  # a thousand trillion đồng: anything above is a typing error
MAX_COUNT = 2**31 - 1  # what an IntegerField column holds

_NUMBER_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "})
_CURRENCY_SUFFIX = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
_GROUP_FIRST = re.compile(r"[1-9]\d{0,2}")
_GROUP_REST = re.compile(r"\d{3}")
_FLOAT_EXACT = 2**53  # floats (XLSX cells) are exact integers only up to here
_SEPARATOR_NAMES = {".": "dấu chấm", ",": "dấu phẩy", " ": "dấu cách"}
_EXAMPLE = "ví dụ 1.234.567 hoặc 1234567"


class NumberError(UserFacingError, ValueError):
    """A typed count or amount that is not a whole number we can read for sure."""


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _parse_text(text: str, *, currency: bool) -> int | None:
    text = unicodedata.normalize("NFC", text).translate(_NUMBER_SPACES).strip()
    if currency:
        text = _CURRENCY_SUFFIX.sub("", text)
    if not text:
        return None
    shown = _shown(text)
    if text[0] in "-−–‐":
        raise NumberError(f"“{shown}” là số âm; chỉ nhận số từ 0 trở lên.")
    if text[0] == "+":
        raise NumberError(f"“{shown}”: không ghi dấu + trước số.")
    if text.isascii() and text.isdigit():
        return int(text)
    for ch in text:
        if ch.isascii() and (ch.isdigit() or ch in ".,  "):
            continue
        if unicodedata.category(ch) in ("Nd", "No", "Nl"):
            raise NumberError(
                f"“{shown}” có ký tự “{ch}” không phải chữ số 0–9 thông thường "
                "(chữ số toàn khổ, chỉ số trên…); hãy gõ lại bằng bàn phím số."
            )
        raise NumberError(f"“{shown}” không phải là số nguyên ({_EXAMPLE}).")
    separators = {ch for ch in text if ch in ".,  "}
    if len(separators) > 1:
        raise NumberError(
            f"“{shown}” dùng lẫn nhiều loại dấu ngăn cách hoặc có phần thập phân; "
            f"chỉ nhận số nguyên ({_EXAMPLE})."
        )
    (sep,) = separators
    groups = text.split(sep)
    well_grouped = _GROUP_FIRST.fullmatch(groups[0]) is not None and all(
        _GROUP_REST.fullmatch(g) for g in groups[1:]
    )
    if well_grouped and sep == "," and len(groups) == 2:
        raise NumberError(
            f"“{shown}” không rõ nghĩa: dấu phẩy là dấu thập phân trong tiếng Việt. "
            f"Hãy viết {groups[0]}.{groups[1]} (hoặc {groups[0]}{groups[1]}) nếu là số nguyên, "
            f"hoặc làm tròn nếu là số lẻ."
        )
    if well_grouped:
        return int("".join(groups))
    if sep != " " and len(groups) == 2 and all(g.isdigit() for g in groups):
        raise NumberError(
            f"“{shown}” có phần thập phân; chỉ nhận số nguyên "
            f"({_SEPARATOR_NAMES[sep]} chỉ dùng để ngăn cách hàng nghìn, {_EXAMPLE})."
        )
    raise NumberError(
        f"“{shown}”: các nhóm chữ số không đúng hàng nghìn "
        f"(mỗi nhóm sau {_SEPARATOR_NAMES[sep]} phải đủ 3 chữ số, {_EXAMPLE})."
    )


def parse_integer(
    value: object,
    *,
    min_value: int = 0,
    max_value: int = MAX_COUNT,
    currency: bool = False,
) -> int | None:
    """A count or amount typed the Vietnamese way → int; empty → None.

    ``value`` is form text, an API value or an XLSX cell (int, integral float,
    Decimal or text). ``currency`` also accepts a trailing "đ"/"đồng"/"VND".
    Raises NumberError (a UserFacingError) with a Vietnamese message that
    quotes what was typed; see the rules above.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError("Cần một số nguyên, không phải giá trị đúng/sai.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
            raise NumberError(f"“{_shown(value)}” không phải là số.")
        if value != int(value):
            raise NumberError(f"“{_shown(value)}” có phần thập phân; chỉ nhận số nguyên.")
        if isinstance(value, float) and abs(value) > _FLOAT_EXACT:
            raise NumberError(
                f"“{_shown(value)}” quá lớn để đọc chính xác từ một ô số; hãy nhập dạng văn bản."
            )
        number = int(value)
    elif isinstance(value, str):
        number = _parse_text(value, currency=currency)
        if number is None:
            return None
    else:
        raise NumberError(f"“{_shown(value)}” không phải là số nguyên.")
    if number < 0:
        raise NumberError(f"“{_shown(value)}” là số âm; chỉ nhận số từ 0 trở lên.")
    if number > max_value:
        raise NumberError(
            f"“{_shown(value)}” lớn hơn mức tối đa {format_number(max_value)}; "
            "vui lòng kiểm tra lại."
        )
    if number < min_value:
        if min_value == 1:
            raise NumberError("Số phải lớn hơn 0.")
        raise NumberError(f"Số phải từ {format_number(min_value)} trở lên.")
    return number


# ------------------------------------------------------------------ money in words
#
# num2words 0.5.x (lang="vi") was checked against the cases in the tests and is
# wrong for this use: 1_005_000 → "một triệu năm nghìn" (reads as 1.005.000 only
# by luck of context; the voucher convention is "một triệu không trăm linh năm
# nghìn"), 24 → "hai mươi bốn" (want "hai mươi tư"), 105 → "một trăm lẻ năm"
# (want "linh"). Hence our own implementation.

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")  # then "tỷ", applied recursively
_BILLION = 10**9


def _read_triple(n: int, *, full: bool) -> list[str]:
    """Words for 0 < n < 1000; ``full`` spells an empty hundreds ("không trăm ...")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens >= 2 else "một")
    elif units == 4:
        words.append("tư" if tens >= 2 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _read_below_billion(n: int, *, leading: bool) -> list[str]:
    """Words for 0 < n < 10^9; ``leading`` is False when a higher part was already read."""
    groups = [(n // 10**6) % 1000, (n // 1000) % 1000, n % 1000]
    words: list[str] = []
    for index, value in enumerate(groups):
        if value == 0:
            continue
        words += _read_triple(value, full=bool(words) or not leading)
        scale = _SCALES[2 - index]
        if scale:
            words.append(scale)
    return words


def _read(n: int, *, leading: bool = True) -> list[str]:
    high, low = divmod(n, _BILLION)
    words: list[str] = []
    if high:
        words += _read(high, leading=leading) + ["tỷ"]
    if low:
        words += _read_below_billion(low, leading=leading and not high)
    return words


def money_in_words(n: int, capitalize: bool = False) -> str:
    """Amount in words for a voucher: 1_005_000 → "một triệu không trăm linh năm nghìn đồng".

    Convention (the one written on phiếu thu/phiếu chi by Vietnamese accounting
    software and used by the open-source converters we compared): read the number
    in groups of three; skip a group that is all zeros (1_000_001 → "một triệu
    không trăm linh một đồng", not "... không nghìn ..."); a non-leading group
    with no hundreds still says "không trăm" (1_005_000 → "... không trăm linh năm
    nghìn"); "linh" for an empty tens digit; "mười" for 10–19; "mốt" and "tư" for
    1 and 4 after "mươi" (≥ 20); "lăm" for 5 after "mười"/"mươi"; "nghìn" (not
    "ngàn"); numbers ≥ 10^12 read the part above "tỷ" recursively ("một nghìn
    tỷ"). No legal text fixes this wording; it is usage, not law.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"Số tiền phải là số nguyên đồng, nhận được {type(n).__name__}")
    if n < 0:
        raise ValueError("Số tiền không được âm")
    text = " ".join([*(_read(n) if n else ["không"]), "đồng"])
    return text[0].upper() + text[1:] if capitalize else text


# -------------------------------------------------------------------------- dates


def format_date_decree30(d: date) -> str:
    """Decree 30/2020 place-and-date line: "ngày 05 tháng 01 năm 2020".

    Appendix I: days below 10 and the months 1 and 2 take a leading zero; other
    months do not ("ngày 14 tháng 9 năm 2023", "ngày 03 tháng 11 năm 2023").
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def format_date(d: date) -> str:
    """Numeric date: "14/09/2023"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


# ------------------------------------------------------------------------ masking
#
# Decree 13/2023 treats account and phone numbers as personal data, so every text
# shown to the public (lookup, disclosure, transfer text, CSV, API, news) goes
# through mask_personal, and the lookup's search key is built from its output.
#
# A *cluster* is a run of digit groups joined by short separator runs (1–3 of
# space, line break, tab, . , / - _ ( ) +): "0912.345678", "(091) 2345678",
# "+84 912 345 678", "0912 345\n678" are one cluster each. Within a cluster,
# scanning the groups left to right:
#   1. a date is kept: dd/mm/yyyy, yyyy-mm-dd, mm/yyyy and a year range
#      2024-2025 (one separator of . / - throughout, a real day and month);
#   2. a grouped amount is kept: first group 1–3 digits without a leading zero,
#      then 3-digit groups, one separator throughout — "." or "," always
#      (50.000, 34,020,836,520), a space only when a currency word follows the
#      cluster ("10 000 000 đồng");
#   3. other groups are numbers: a group of 8+ digits is a number by itself;
#      consecutive shorter groups are joined into one (0987 654321 = 10 digits),
#      and so is a long group right after them ("84 912345678").
#      A number of 8+ digits is masked, keeping separators and its last 3 digits.
# Rules 1–2 are not tried inside a number that is already being read as a phone
# or account: after a short group with a leading zero ("0912 12/2024"), after
# "84"/"0084", or in a cluster written after "+". So a leading-zero number is
# never mistaken for a date or amount. Bank reference codes glued to letters
# (FT2425...) are masked too: they can embed account or card numbers.
# Limits: an ungrouped amount of 8+ digits ("10000000") is masked; a phone
# written without its leading 0 and grouped like an amount ("912.345.678") is
# kept, as is an account number grouped exactly like one ("190.367.891.234");
# "01/02/2024 5678" reads as a date and a short number.

_CLUSTER_RE = re.compile(r"\d+(?:[ .,/\-_()+\n\r\t\u00a0]{1,3}\d+)*")
_DIGIT_GROUP_RE = re.compile(r"\d+")
_ANY_DIGIT_RE = re.compile(r"\d")
# A run of 8+ digits and separators: text without one has nothing to mask.
_LONG_RUN_RE = re.compile(r"\d[\d .,/\-_()+\n\r\t\u00a0]{6,}\d")
_CURRENCY_AFTER_RE = re.compile(r"\s?(?:đồng|đ|dong|vnđ|vnd)\b", re.IGNORECASE)
_MIN_MASKED = 8  # digits: shorter numbers (house numbers, years, 7-digit amounts) stay
_KEEP = 3


def _is_day_month(day: str, month: str) -> bool:
    return (
        1 <= len(day) <= 2
        and 1 <= len(month) <= 2
        and 1 <= int(day) <= 31
        and 1 <= int(month) <= 12
    )


def _is_year(year: str) -> bool:
    return len(year) == 4 and year[:2] in ("19", "20")


def _date_end(groups: list[str], seps: list[str], i: int) -> int | None:
    """Index of the last group of a date starting at group i, or None."""
    n = len(groups)
    if i + 2 < n and seps[i] == seps[i + 1] and seps[i] in (".", "/", "-"):
        a, b, c = groups[i], groups[i + 1], groups[i + 2]
        if _is_year(c) and _is_day_month(a, b):
            return i + 2
        if _is_year(a) and _is_day_month(c, b):
            return i + 2
    if i + 1 < n and seps[i] in ("/", "-", ".", " - ", "–"):
        a, b = groups[i], groups[i + 1]
        if _is_year(b) and len(a) <= 2 and 1 <= int(a) <= 12 and seps[i] != ".":
            return i + 1  # month/year: 08/2024
        if _is_year(a) and _is_year(b) and int(a) < int(b):
            return i + 1  # year range: 2024-2025
    return None


def _amount_end(groups: list[str], seps: list[str], i: int, currency_after: bool) -> int | None:
    """Index of the last group of a grouped amount starting at group i, or None."""
    first = groups[i]
    if not (1 <= len(first) <= 3 and first[0] != "0") or i + 1 >= len(groups):
        return None
    sep = seps[i]
    if sep not in (".", ",", " ", "\u00a0"):
        return None
    j = i + 1
    while len(groups[j]) == 3 and j + 1 < len(groups) and seps[j] == sep:
        j += 1
    if len(groups[j]) != 3:
        return None  # "1.234.5678": not an amount
    if j + 1 < len(groups) and seps[j] == sep:
        return None
    if sep in (" ", "\u00a0") and not (j == len(groups) - 1 and currency_after):
        return None
    return j


def _mask_cluster(text: str, start: int, end: int, plus_before: bool) -> list[tuple[int, int]]:
    """Spans (within text) of the numbers to mask in one cluster."""
    found = list(_DIGIT_GROUP_RE.finditer(text, start, end))
    spans = [m.span() for m in found]
    groups = [m.group() for m in found]
    seps = [text[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    currency_after = _CURRENCY_AFTER_RE.match(text, end) is not None
    numbers: list[tuple[int, int]] = []  # group index ranges, inclusive
    run: list[int] = []  # consecutive short groups read as one number
    phone_led = plus_before

    def close_run() -> None:
        if run:
            numbers.append((run[0], run[-1]))
            run.clear()

    i, n = 0, len(groups)
    while i < n:
        group = groups[i]
        if not phone_led and len(group) <= 4 and i + 1 < n:  # a date or amount starts short
            last = _date_end(groups, seps, i)
            if last is None and len(group) <= 3:
                last = _amount_end(groups, seps, i, currency_after)
            if last is not None:
                close_run()
                i = last + 1
                continue
        if len(group) >= _MIN_MASKED:
            if run:  # "84 912345678", "0071 0001 23456789": one number
                run.append(i)
            else:
                close_run()
                numbers.append((i, i))
            close_run()
            phone_led = plus_before
        else:
            if not run and (group[0] == "0" or group in ("84", "0084")):
                phone_led = True
            run.append(i)
        i += 1
    close_run()
    out = []
    for first, last in numbers:
        digits = sum(len(groups[k]) for k in range(first, last + 1))
        if digits >= _MIN_MASKED:
            out.append((spans[first][0], spans[last][1]))
    return out


def _mask_span(text: str) -> str:
    """Every digit but the last 3 becomes "*"; separators stay."""
    if text.isdigit():
        return "*" * (len(text) - _KEEP) + text[-_KEEP:]
    seen = 0
    cut = len(text)
    while seen < _KEEP:
        cut -= 1
        if text[cut].isdigit():
            seen += 1
    return _ANY_DIGIT_RE.sub("*", text[:cut]) + text[cut:]


def mask_personal(text: str) -> str:
    """The one masking of phone and account numbers for every public surface.

    "0912 345 678" → "**** *** 678", "(091) 2345678" → "(***) ****678";
    dates ("12/09/2024") and grouped amounts ("50.000", "1,000,000") stay.
    Same length as the input (each masked digit becomes one "*"). See the
    rules above.
    """
    if not text:
        return text or ""
    first = _LONG_RUN_RE.search(text)
    if first is None:
        return text
    out: list[str] = []
    last = 0
    for match in _CLUSTER_RE.finditer(text, first.start()):
        start, end = match.span()
        if end - start < _MIN_MASKED:
            continue
        token = match.group()
        if token.isdigit():  # one plain run: a number by itself
            spans = [(start, end)]
        else:
            plus_before = (
                start > 0 and text[start - 1] == "+" or text[max(0, start - 2) : start] == "+("
            )
            spans = _mask_cluster(text, start, end, plus_before)
        for a, b in spans:
            out.append(text[last:a])
            out.append(_mask_span(text[a:b]))
            last = b
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
