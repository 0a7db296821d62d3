"""Legacy Vietnamese encodings (TCVN3/ABC and VNI-Windows) to Unicode NFC.

No kept library on PyPI does this (searched the package lists: nothing for
TCVN3 or VNI), so the two tables are written here from the published charts
and tested against known pairs in both directions (tests/reading/test_legacy.py).

Older Word files typed in a legacy font (".VnTime", "VNI-Times") store each
byte as the Windows-1252 character with that code, so "Mặt trận" typed in
.VnTime arrives as "MÆt trËn" and typed in VNI-Times as "Maët traän".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# ----------------------------------------------------------------------- TCVN3
# Unicode letter -> TCVN3 byte (one byte per letter). The capitals with a tone
# mark have no code in the one-font TCVN3 set: they are typed in the "H" fonts
# (.VnTimeH) with the lower-case codes; see `font_is_capitals`.
_TCVN3_LOWER = {
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
}  # fmt: skip
_TCVN3_UPPER = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}

TCVN3_ENCODE: dict[str, str] = {u: chr(b) for u, b in {**_TCVN3_LOWER, **_TCVN3_UPPER}.items()}
TCVN3_DECODE: dict[str, str] = {b: u for u, b in TCVN3_ENCODE.items()}
# Word keeps a symbol-font character in the private-use area (U+F000 + byte).
TCVN3_DECODE.update({chr(0xF000 + ord(b)): u for b, u in list(TCVN3_DECODE.items())})
_TCVN3_TABLE = str.maketrans(TCVN3_DECODE)

# ------------------------------------------------------------------------- VNI
# VNI-Windows writes a base letter followed by one mark byte (two for a
# circumflex/breve with a tone); ơ, ư, đ and the i's and ỵ are single bytes.
_VNI_TONES = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_pairs() -> dict[str, str]:
    """Unicode letter -> VNI sequence, lower and upper case."""
    out: dict[str, str] = {}
    for tone in _VNI_TONES:
        for base in "aeouy":
            if tone:
                out[unicodedata.normalize("NFC", base + tone)] = base + _VNI_TONES[tone]
        for base in "aeo":  # circumflex
            out[unicodedata.normalize("NFC", base + "\u0302" + tone)] = base + _VNI_HAT[tone]
        out[unicodedata.normalize("NFC", "a\u0306" + tone)] = "a" + _VNI_BREVE[tone]
        out[unicodedata.normalize("NFC", "o\u031b" + tone)] = "ô" + _VNI_TONES[tone]
        out[unicodedata.normalize("NFC", "u\u031b" + tone)] = "ö" + _VNI_TONES[tone]
        if tone:
            out[unicodedata.normalize("NFC", "i" + tone)] = _VNI_I[tone]
    out["ỵ"] = "î"  # y with a dot below is one byte, like the i's
    out["đ"] = "ñ"
    upper = {}
    for u, v in out.items():
        upper[u.upper()] = v.upper()
    out.update(upper)
    return out


VNI_ENCODE: dict[str, str] = _vni_pairs()
VNI_DECODE: dict[str, str] = {v: u for u, v in VNI_ENCODE.items()}
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_DECODE, key=len, reverse=True)))

# ------------------------------------------------------------------ detection
# Letters only Unicode Vietnamese uses (outside Latin-1): ă đ ơ ư ĩ ũ and the
# whole Latin Extended Additional block (ạ ả ấ ... ỹ).
_UNICODE_VN = re.compile("[ăĂđĐơƠưƯĩĨũŨ\u1ea0-\u1ef9]")
# TCVN3 uses the Latin-1 range A1-BF for its commonest letters (à á ạ ă â đ ê
# ô ơ ư); VNI never does.
_TCVN3_SIGN = re.compile("[\u00a1-\u00ad\u00ae\u00b5-\u00b9\u00bb-\u00be\u00c6-\u00cb\u00d6]")
# VNI: a vowel followed by a mark byte ("aø", "eä", "oâ"); "ö"/"ô" alone for ư/ơ.
_VNI_SIGN = re.compile("[aeouyAEOUY][øùûõïâáàåãäêéèúüëØÙÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[öÖ][ôÔ]")


@dataclass(frozen=True)
class Detection:
    encoding: str  # "unicode", "tcvn3" or "vni"
    reason: str


def detect(text: str) -> Detection:
    """Which encoding a text was typed in, with the evidence (for the explanation)."""
    sample = text[:200_000]
    unicode_hits = len(_UNICODE_VN.findall(sample))
    tcvn = len(_TCVN3_SIGN.findall(sample))
    vni = len(_VNI_SIGN.findall(sample))
    letters = max(1, sum(ch.isalpha() for ch in sample))
    if unicode_hits >= max(3, (tcvn + vni)):
        return Detection("unicode", f"{unicode_hits} chữ Việt Unicode")
    if tcvn >= 3 and tcvn >= vni and tcvn / letters > 0.01:
        return Detection("tcvn3", f"{tcvn} ký tự đặc trưng TCVN3, {unicode_hits} chữ Unicode")
    if vni >= 3 and vni / letters > 0.01:
        return Detection("vni", f"{vni} cặp dấu đặc trưng VNI, {unicode_hits} chữ Unicode")
    return Detection("unicode", "không thấy dấu hiệu bảng mã cũ")


def tcvn3_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE))


def vni_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: VNI_DECODE[m.group(0)], text))


def unicode_to_tcvn3(text: str) -> str:
    """For making test samples: the bytes a .VnTime typist would have produced."""
    return "".join(TCVN3_ENCODE.get(ch, TCVN3_ENCODE.get(ch.lower(), ch)) for ch in text)


def unicode_to_vni(text: str) -> str:
    return "".join(VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def to_unicode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text)
    if encoding == "vni":
        return vni_to_unicode(text)
    return unicodedata.normalize("NFC", text)


def font_encoding(font_name: str | None) -> str | None:
    """The encoding a font name implies: ".VnTime" -> tcvn3, "VNI-Times" -> vni."""
    if not font_name:
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None


def font_is_capitals(font_name: str | None) -> bool:
    """.VnTimeH, .VnArialH: the TCVN3 capital fonts show lower-case codes as capitals."""
    return (
        bool(font_name)
        and font_name.strip().lower().startswith(".vn")
        and font_name.strip().endswith("H")
    )


def convert(text: str) -> tuple[str, Detection]:
    """Convert a whole text; each paragraph is judged on its own when it is long
    enough (a PDF or a text export of a document that mixes Unicode and legacy
    fonts), short ones follow the document."""
    whole = detect(text)
    lines = text.split("\n")
    seen: set[str] = set()
    out = []
    for line in lines:
        enc = whole.encoding
        if sum(ch.isalpha() for ch in line) >= 40:
            enc = detect(line).encoding
        if enc != "unicode":
            seen.add(enc)
        out.append(to_unicode(line, enc))
    if len(seen) > 1 or (seen and whole.encoding == "unicode"):
        names = ", ".join(sorted(e.upper() for e in seen))
        whole = Detection("mixed", f"các đoạn bảng mã {names} lẫn Unicode; đã chuyển từng đoạn")
    return "\n".join(out), whole
