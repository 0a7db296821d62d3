"""TCVN3 and VNI tables against known pairs, both directions, and detection."""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mattran.reading import legacy

# Pairs as the legacy fonts show them (published charts; real samples below).
TCVN3_PAIRS = [
    ("MÆt trËn Tæ quèc ViÖt Nam", "Mặt trận Tổ quốc Việt Nam"),
    ("§èng §a", "Đống Đa"),
    ("ph\u00adêng", "phường"),
    ("B¸o c¸o tµi chÝnh quý II n¨m 2008", "Báo cáo tài chính quý II năm 2008"),
    ("®­îc", "được"),
    ("hç trî 359 suÊt quµ", "hỗ trợ 359 suất quà"),
]
VNI_PAIRS = [
    ("Maët traän Toå quoác Vieät Nam", "Mặt trận Tổ quốc Việt Nam"),
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    ("ñöôïc nhöõng Chæ thò Myõ", "được những Chỉ thị Mỹ"),
    ("Ngöôøi ngheøo", "Người nghèo"),
    ("VIEÄT NAM", "VIỆT NAM"),
]

VIETNAMESE_LETTERS = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"


@pytest.mark.parametrize(("legacy_text", "unicode_text"), TCVN3_PAIRS)
def test_tcvn3_known_pairs(legacy_text, unicode_text):
    assert legacy.tcvn3_to_unicode(legacy_text) == unicode_text
    assert legacy.unicode_to_tcvn3(unicode_text) == legacy_text


@pytest.mark.parametrize(("legacy_text", "unicode_text"), VNI_PAIRS)
def test_vni_known_pairs(legacy_text, unicode_text):
    assert legacy.vni_to_unicode(legacy_text) == unicode_text
    assert legacy.unicode_to_vni(unicode_text) == legacy_text


def test_every_letter_round_trips():
    for ch in VIETNAMESE_LETTERS:
        assert legacy.tcvn3_to_unicode(legacy.unicode_to_tcvn3(ch)) == ch
        assert legacy.vni_to_unicode(legacy.unicode_to_vni(ch)) == ch
        assert legacy.vni_to_unicode(legacy.unicode_to_vni(ch.upper())) == ch.upper()
    # 67 distinct lower-case letters, each with its own code
    assert len({legacy.unicode_to_tcvn3(ch) for ch in VIETNAMESE_LETTERS}) == len(
        VIETNAMESE_LETTERS
    )


@given(st.text(alphabet=VIETNAMESE_LETTERS + " ,.0123456789", min_size=1, max_size=60))
def test_vni_round_trip_any_text(text):
    assert legacy.vni_to_unicode(legacy.unicode_to_vni(text)) == text


def test_output_is_nfc():
    out = legacy.vni_to_unicode("Vieät")
    assert out == unicodedata.normalize("NFC", out) == "Việt"


def test_detection():
    assert legacy.detect("Mặt trận Tổ quốc Việt Nam phường").encoding == "unicode"
    assert (
        legacy.detect(legacy.unicode_to_tcvn3("Mặt trận Tổ quốc Việt Nam phường")).encoding
        == "tcvn3"
    )
    assert (
        legacy.detect(legacy.unicode_to_vni("Mặt trận Tổ quốc Việt Nam phường")).encoding == "vni"
    )
    assert legacy.detect("Plain ASCII report 2023").encoding == "unicode"


def test_real_legacy_samples_convert():
    lines = [
        line
        for line in (Path(__file__).parent / "data" / "real_legacy.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    tcvn, vni = lines
    text, d = legacy.convert(tcvn)
    assert d.encoding == "tcvn3"
    assert text.startswith("Nay chiến sự mặt trận khẩn cấp, quan binh quân giới lại không đủ")
    text, d = legacy.convert(vni)
    assert d.encoding == "vni"
    assert text == "CÔNG TY SẢN PHẨM MÁY TÍNH FUJITSU VIỆT NAM"


def test_font_names():
    assert legacy.font_encoding(".VnTime") == "tcvn3"
    assert legacy.font_encoding(".VnTimeH") == "tcvn3"
    assert legacy.font_is_capitals(".VnTimeH")
    assert legacy.font_encoding("VNI-Times") == "vni"
    assert legacy.font_encoding("Times New Roman") is None
