"""The import's fast paths give exactly what the plain functions give.

The statement import replaces a few general helpers by faster ones on its hot
path (nfc/fold of ASCII, mask_personal, the search key, the occurrence
counter, the name scan). Each is checked here against the general function it
stands for, on the real samples and on generated text.
"""

from __future__ import annotations

import io
import re
import string
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mattran.core.vietnamese import fold, mask_personal, nfc
from mattran.funds import statement_formats as sf
from mattran.funds.importing import OccurrenceCounter, _mask, _search_key
from mattran.funds.services import search_key_for
from mattran.funds.statement_formats import (
    fingerprints_with_occurrence,
    get_layout,
    iter_lines,
)
from tests.paths import STATEMENTS_DIR

SAMPLES = [
    (STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv", "vcb"),
    (STATEMENTS_DIR / "agribank-1500201113838-2024-09-12_part005.csv", "agribank"),
    (STATEMENTS_DIR / "vietinbank-111602391111-2024-09-12_part006.csv", "vietinbank"),
]

# text that looks like bank memos: Vietnamese letters, digits, separators, odd spaces
MEMO_ALPHABET = (
    string.ascii_letters
    + string.digits
    + " .,-/:+#()_\t\n\u00a0"
    + "ĐđÀàÁáẢảÃãẠạĂăẰằẮắẲẳẴẵẶặÂâẦầẤấẨẩẪẫẬậÈèÉéẺẻẼẽẸẹÊêỀềẾếỂểỄễỆệÌìÍíỈỉĨĩỊịÒòÓóỎỏÕõỌọÔô"
    + "ỒồỐốỔổỖỗỘộƠơỜờỚớỞởỠỡỢợÙùÚúỦủŨũỤụƯưỪừỨứỬửỮữỰựỲỳÝýỶỷỸỹỴỵ"
    + "\u0300\u0301\u0303\u0309\u0323\u2013"
)
memos = st.text(alphabet=MEMO_ALPHABET, max_size=80)


@pytest.fixture(scope="module")
def sample_lines():
    return [(code, line) for path, code in SAMPLES for line in iter_lines(path, get_layout(code))]


@given(memos)
@example("  NGUYEN  VAN A  ")
@example("Hoà\tBình\n")
@example("\u0301a b")
def test_fast_nfc_and_fold(text):
    assert sf._nfc(text) == nfc(text)
    assert sf._fold(text) == fold(text)


@given(memos)
@example("sdt 0912 345 678, ngay 01/09/2024, 50.000 va 1,000,000")
@example("+84 912 345 678 ab+12 FT24256610891339 ١٢٣٤٥٦٧٨٩")
@example("12.345.678.901 x 1.2.3 y 01-09-2024 z 3.000.000đ 0011001932418")
def test_fast_mask_is_mask_personal(text):
    assert _mask(text) == mask_personal(text)


@given(st.text(alphabet=MEMO_ALPHABET, max_size=20), memos)
@example("", "")
@example("Nguyễn Thị Hoà", "ung ho bao Yagi, sdt 0912 345 678")
def test_fast_search_key_is_search_key_for(name, memo):
    name, memo = nfc(name), nfc(memo)
    assert _search_key(name, memo) == search_key_for(name, memo)


def test_fast_paths_on_the_samples(sample_lines):
    for _, line in sample_lines:
        assert _mask(line.memo) == mask_personal(line.memo)
        assert _search_key("Lê Thị Hoà", line.memo) == search_key_for("Lê Thị Hoà", line.memo)
        assert sf._fold(line.memo) == fold(line.memo)


def _reference_name_before_keyword(text: str) -> str | None:
    """The name scan as first written (every token folded, every start tried)."""
    tokens = [m.group(0) for m in sf._TOKEN.finditer(text)]
    folded = [fold(t) for t in tokens]
    for start in range(len(tokens)):
        for keyword in sf._KEYWORDS:
            if tuple(folded[start : start + len(keyword)]) == keyword:
                name_tokens = tokens[:start]
                if name_tokens and name_tokens[-1] in {"-", "–", ":", ",", "."}:
                    name_tokens = name_tokens[:-1]
                name = " ".join(name_tokens)
                return name if sf._looks_like_person(name) else None
    return None


def _reference_strip_prefixes(memo, prefixes):
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            stripped = re.sub(rf"^(?:{prefix})", "", memo)
            if stripped != memo:
                memo, changed = stripped.lstrip(), True
    return memo


WORDS = st.sampled_from(
    [
        "NGUYEN",
        "VAN",
        "AN",
        "Nguyễn",
        "Thị",
        "Hòa",
        "LE",
        "chuyen",
        "tien",
        "ck",
        "CT",
        "ung",
        "ho",
        "UNG",
        "HO",
        "quyen",
        "gop",
        "nop",
        "tien",
        "gui",
        "ho",
        "tro",
        "cuu",
        "tro",
        "chia",
        "se",
        "cong",
        "ty",
        "MOMO",
        "gia",
        "dinh",
        "ong",
        ".",
        ",",
        "-",
        ":",
        "–",
        "123",
        "0912345678",
    ]
)


@settings(max_examples=300)
@given(st.lists(WORDS, max_size=14))
@example(["NGUYEN", "VAN", "AN", "chuyen", "tien"])
@example(["A", "B", "C", "D", "E", "F", "G", "chuyen"])
@example(["A", "B", "C", "D", "E", "F", "G", "-", "chuyen"])
def test_name_scan_matches_the_reference(words):
    text = " ".join(words)
    assert sf._name_before_keyword(text) == _reference_name_before_keyword(text)
    for layout in ("vcb", "agribank", "vietinbank", "bidv"):
        prefixes = get_layout(layout).memo_prefixes
        assert sf._strip_prefixes(text, prefixes) == _reference_strip_prefixes(text, prefixes)


def test_name_scan_on_the_samples(sample_lines):
    for code, line in sample_lines:
        text = sf._strip_prefixes(line.memo, get_layout(code).memo_prefixes)
        assert text == _reference_strip_prefixes(line.memo, get_layout(code).memo_prefixes)
        assert sf._name_before_keyword(text) == _reference_name_before_keyword(text)


def test_fingerprint_json_is_json_dumps(sample_lines):
    import json

    for _, line in sample_lines[:3000]:
        payload = [
            line.booked_on.isoformat(),
            line.booked_at.isoformat() if line.booked_at else None,
            nfc(line.doc_no),
            nfc(line.reference),
            line.debit,
            line.credit,
            line.balance,
            nfc(line.memo),
            nfc(line.counterparty),
        ]
        assert sf._fingerprint_data(line) == json.dumps(
            payload, ensure_ascii=False, separators=(",", ":")
        )


@pytest.mark.parametrize("chunk", [1, 7, 5000])
def test_occurrence_counter_gives_the_generator_keys(chunk):
    path, code = SAMPLES[0]
    text = path.read_text(encoding="utf-8-sig").splitlines()
    # the sample three times over plus runs of identical lines: ":1", ":2", ":3", …
    body = "\n".join([text[0]] + text[1:400] * 3 + [text[5]] * 9 + text[1:50]) + "\n"
    lines = list(iter_lines(io.StringIO(body), get_layout(code)))
    expected = [key for _, key in fingerprints_with_occurrence(lines)]
    counter = OccurrenceCounter()
    got = []
    for start in range(0, len(lines), chunk):
        part = [sf.line_fingerprint(line) for line in lines[start : start + chunk]]
        got += [f"{fp}:{n}" for fp, n in zip(part, counter.add(part), strict=True)]
    assert got == expected
    assert max(int(key.rsplit(":", 1)[1]) for key in got) == 13
    assert counter.nbytes == 8 * len(lines)  # 8 bytes a line, whatever the chunking


def test_dates_read_fast_or_by_strptime_alike():
    layout = get_layout("vcb")
    header = "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
    rows = "01/09/2024,1,,1.000,,a\n1/9/2024,2,,1.000,,b\n 02/09/2024 ,3,,1.000,,c\n"
    days = [line.booked_on for line in iter_lines(io.StringIO(header + rows), layout)]
    assert days == [date(2024, 9, 1), date(2024, 9, 1), date(2024, 9, 2)]
    with pytest.raises(sf.StatementFormatError, match="ngày '31/09/2024' không đúng định dạng"):
        list(iter_lines(io.StringIO(header + "31/09/2024,1,,1.000,,a\n"), layout))


def test_parsed_lines_are_normalized(sample_lines):
    """iter_lines gives nfc() text, so the import may skip nfc() in the fingerprint."""
    for _, line in sample_lines:
        for text in (line.doc_no, line.reference, line.memo, line.counterparty):
            assert nfc(text) == text
        assert sf._fingerprint_data(line, normalized=True) == sf._fingerprint_data(line)


def test_key_and_terms_are_the_key_and_the_triggers_terms():
    """The import's lookup terms: funds_lookup_terms of the search key (distinct words of
    3+ characters, then adjacent letter-only word pairs "~a b", each cut to 100)."""
    from mattran.funds.importing import _key_and_terms

    long_word = "x" * 130
    for name, memo in [
        ("Lê Thị Hoà", "ung ho ba con mien Bac, ung ho 0912 345 678"),
        ("", f"{long_word} {long_word}y ab abc abc"),
        ("", ""),
    ]:
        key, terms = _key_and_terms(name, _mask(memo))
        assert key == _search_key(name, memo)
        words = key.split()
        expected = list(dict.fromkeys(w[:100] for w in words if len(w) >= 3))
        pairs = [f"~{a} {b}"[:100] for a, b in pairwise(words) if a.isalpha() and b.isalpha()]
        expected += list(dict.fromkeys(pairs))
        assert (terms.split(",") if terms else []) == expected
    assert _key_and_terms("", _mask(f"{long_word} ab"))[1] == f"{'x' * 100},~{'x' * 99}"
    assert _key_and_terms("Lê Hoà", "ung ho 123 ba")[1] == "hoa,ung,123,~le hoa,~hoa ung,~ung ho"
