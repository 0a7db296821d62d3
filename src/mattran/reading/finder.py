"""Find the figures in a report's text: value, key, unit, exactness, sentence.

Rule-based and explainable: every figure names the pattern that read its
number (`pattern`) and the rule that chose its key (`key_rule`); every number
that is not a figure (a date, a decree number, a term, a list position, a
number inside a list of planned tasks or targets) is kept in `skipped` with
the pattern that excluded it.

Numbers follow Vietnamese print: a dot groups thousands ("2.366.435.000"), a
comma marks decimals ("1,2 tỷ", "93,5%"); a dot followed by one or two digits
is read as a decimal point too ("93.4%"), as offices often type it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from mattran.core.vietnamese import MAX_AMOUNT

from . import keys as figure_keys

W = r"[0-9A-Za-zÀ-ỹĐđ]"  # a word character, Vietnamese letters included

# ----------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; ';' ends one too (reports chain clauses with it)."""
    out = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos and text[pos : m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text) and text[pos:].strip():
        out.append((pos, len(text)))
    return out


# ------------------------------------------------------------------ numbers

NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}|\d+\.\d{1,2}(?![\d.])|\d+(?:,\d+)?"
_NUM_RE = re.compile(rf"(?<![\w.,/\-])(?:{NUM})")

SCALES = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_SCALE = r"(?:nghìn|ngàn|triệu|tỷ|tỉ)(?![\wÀ-ỹ])"
_CURRENCY = r"(?:đồng|VNĐ|VND|vnđ|Đồng|đ(?![\wÀ-ỹ]))"


def parse_number(token: str) -> Decimal:
    t = token.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t):
        return Decimal(t.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", t):
        return Decimal(t.replace(",", ""))
    return Decimal(t.replace(",", "."))


# Money in words ("một triệu không trăm linh năm nghìn đồng"): the words of
# core.vietnamese.money_in_words, read back.
_DIGIT_WORDS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
    "lăm": 5, "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9, "mười": 10,
}  # fmt: skip
_NUMBER_WORD = r"(?:không|một|mốt|hai|ba|bốn|tư|năm|lăm|nhăm|sáu|bảy|bẩy|tám|chín|mười|mươi|trăm|linh|lẻ|nghìn|ngàn|triệu|tỷ|tỉ)"
_FIRST_WORD = r"(?:một|hai|ba|bốn|năm|sáu|bảy|bẩy|tám|chín|mười)"
_WORDS_RE = re.compile(
    rf"(?i)(?<![\wÀ-ỹ])(?<!\d\s){_FIRST_WORD}\s+(?:{_NUMBER_WORD}\s+)*{_CURRENCY}"
)


def words_to_int(words: str) -> int | None:
    """'một triệu không trăm linh năm nghìn' -> 1005000; None when it is not a number."""
    total = 0
    group = 0  # the hundreds and tens read so far, below one thousand
    current: int | None = None  # the last digit word, None when none was read yet
    seen = False
    for w in words.lower().split():
        if w in ("linh", "lẻ"):
            continue
        if w == "mười":
            group += 10
        elif w == "mươi":
            group += (current if current is not None else 1) * 10
            current = None
        elif w == "trăm":
            group += (current if current is not None else 1) * 100
            current = None
        elif w in SCALES:
            value = group + (current or 0)
            if not value and current is None and not group and not total:
                value = 1
            if SCALES[w] == 10**9:
                total = (total + value) * SCALES[w]
            else:
                total += value * SCALES[w]
            group, current = 0, None
        elif w in _DIGIT_WORDS:
            current = _DIGIT_WORDS[w]
        else:
            return None
        seen = True
    return total + group + (current or 0) if seen else None


# ----------------------------------------------------------- not-figure spans
# (pattern name, regex, Vietnamese reason). Any number inside a match is skipped.
_ORDINAL_NAMES = (
    r"(?:[Pp]hường|[Qq]uận|[Kk]hu phố|[Tt]ổ dân phố|[Tt]ổ|[Ss]ố|[Ấấ]p|[Tt]hôn|[Xx]óm|[Kk]hu|"
    r"[Đđ]iều|[Kk]hoản|[Mm]ục|[Pp]hụ lục|[Tt]rang|[Ll]ô|[Kk]ỳ họp thứ|[Ll]ần thứ|[Tt]hứ|"
    r"[Ll]ớp|[Kk]hóa|[Kk]hoá|[Đđ]ường|[Qq]uốc lộ|[Tt]ỉnh lộ|[Nn]gõ|[Nn]gách|[Hh]ẻm|[Bb]ài)"
)
NOT_FIGURE: list[tuple[str, re.Pattern[str], str]] = [
    (
        "date_full",
        re.compile(r"\b\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{4}\b"),
        "ngày tháng",
    ),
    (
        "date_words",
        re.compile(r"(?i)ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2})?(?:\s+năm\s+\d{4})?"),
        "ngày tháng",
    ),
    (
        "date_short",
        re.compile(
            r"(?i)(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|đến|từ)\s+\d{1,2}[/\-]\d{1,2}(?![\d/])"
        ),
        "ngày tháng",
    ),
    (
        "month",
        re.compile(r"(?i)tháng\s+\d{1,2}(?:\s*[/\-]\s*\d{4}|\s+năm\s+\d{4})?"),
        "tháng",
    ),
    (
        "time",
        re.compile(r"(?i)\b\d{1,2}(?::\d{2})?\s?(?:AM|PM|giờ(?:\s+\d{1,2})?|h\d{0,2}\b)"),
        "giờ",
    ),
    (
        "document_number",
        re.compile(r"\b\d+(?:/\d+)?[\-/][A-ZĐ][\wĐđ]*(?:[\-/][A-ZĐ\d][\wĐđ]*)*"),
        "số hiệu văn bản",
    ),
    (
        "document_number",
        re.compile(
            r"(?:Nghị định|Nghị quyết|Quyết định|Chỉ thị|Thông tư|Kết luận|Luật|Kế hoạch|"
            r"Công văn|Thông tri|Hướng dẫn|Báo cáo|Văn bản|Quy định)\s+(?:số\s+)?\d+(?:/\d{2,4})?"
        ),
        "số hiệu văn bản",
    ),
    (
        "term",
        re.compile(r"\b(?:19|20)\d{2}\s*[\-–—]\s*(?:19|20)\d{2}\b"),
        "nhiệm kỳ, giai đoạn",
    ),
    ("year", re.compile(r"(?i)(?:năm|niên khóa|niên độ)\s+(?:19|20)\d{2}\b"), "năm"),
    ("year", re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?![\d.,]\d)(?!\s*(?:%|đồng|triệu|tỷ))"), "năm"),
    (
        "anniversary",
        re.compile(r"(?i)kỷ niệm\s+\d+\s+năm|\d+\s+năm\s+(?:ngày\s+)?(?:thành lập|truyền thống)"),
        "số năm kỷ niệm",
    ),
    (
        "duration",
        re.compile(r"(?i)\b\d+\s+(?:tháng|năm|ngày|tuần|quý|phút|giây)(?![\wÀ-ỹ])"),
        "độ dài thời gian, kỳ báo cáo",
    ),
    ("name_number", re.compile(rf"{_ORDINAL_NAMES}\s+(?:số\s+)?\d+\b"), "tên, số thứ tự"),
    (
        "list_position",
        re.compile(r"(?m)^\s*(?:\d+(?:\.\d+)*[.)]|[IVX]+\.)(?=\s|$)"),
        "số thứ tự mục",
    ),
    ("code", re.compile(r"[A-Za-zĐđ]+[\-]?\d+\b"), "mã, tên riêng"),
    ("phone", re.compile(r"\(0?\d{2,3}\)\s?\d[\d. ]{6,}"), "số điện thoại"),
]

# ------------------------------------------------------------------- units
# Count units, longest first. The text after the number must start with one.
COUNT_UNITS = [
    "lượt người", "lượt hộ", "lượt", "suất quà", "phần quà", "suất học bổng", "suất",
    "phần", "căn nhà", "ngôi nhà", "nhà", "căn", "công trình", "tập thể", "cá nhân",
    "hộ gia đình", "hộ", "đơn vị", "vụ việc", "vụ", "hội nghị", "cuộc", "đoàn",
    "người", "đại biểu", "ý kiến", "kiến nghị", "đơn thư", "lá đơn", "đơn", "mô hình",
    "khu dân cư", "ngày hội", "lớp", "buổi", "chương trình", "hội viên", "đoàn viên",
    "thành viên", "học sinh", "em", "con", "chiếc", "bộ", "quyển", "tấn", "xe",
    "trường hợp", "gia đình", "hồ sơ", "dự án", "đề án", "tổ", "nhóm", "ban",
    "tổ dân phố", "khu phố", "thị trấn", "phường", "xã", "quận", "huyện", "tỉnh",
    "chi hội", "cơ sở", "tổ chức", "doanh nghiệp", "vị", "lần", "bài", "tin bài",
    "tin", "thẻ", "tọa đàm", "buổi", "điểm", "cơ quan", "giáo xứ", "cơ sở tôn giáo",
]  # fmt: skip
_UNITS_RE = re.compile(
    r"\s*("
    + "|".join(re.escape(u) for u in sorted(set(COUNT_UNITS), key=len, reverse=True))
    + r")(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
ADMIN_UNITS = {"tổ dân phố", "khu phố", "thị trấn", "phường", "xã", "quận", "huyện", "tỉnh"}

# ---------------------------------------------------------------- exactness
_APPROX = [
    (re.compile(r"(?i)(?:tới hơn|hơn|trên|vượt|ngoài)\s*$"), "trên"),
    (re.compile(r"(?i)(?:gần|ngót|chưa đến|chưa tới|dưới)\s*$"), "dưới"),
    (re.compile(r"(?i)(?:khoảng|xấp xỉ|ước tính|ước|chừng|trên dưới|hàng)\s*$"), "khoảng"),
]


@dataclass
class Figure:
    value: int | Decimal
    kind: str  # "money" (đồng), "count" (units), "rate" (%)
    unit_label: str  # "đồng", "cuộc", "suất quà", "%"
    text: str  # the characters that were read
    start: int
    end: int
    sentence: str
    sentence_index: int
    pattern: str  # which pattern read the number
    exact: bool = True
    direction: str = ""  # "trên", "dưới", "khoảng" when not exact
    key: str | None = None
    key_rule: str = ""
    unit: str = "unit"  # "unit" (as a whole), "own" (its office), "children", or "named"
    unit_name: str = ""  # the ward named, when unit == "named"
    pair_id: int | None = None  # 86/92: both sides share it
    role: str = ""  # "part", "whole" of a ratio; "per_item", "items" of a product

    @property
    def key_name(self) -> str:
        return figure_keys.key_name(self.key)

    @property
    def unit_text(self) -> str:
        if self.unit == "children":
            return "các đơn vị cấp dưới (các phường/xã)"
        if self.unit == "named":
            return self.unit_name
        if self.unit == "own":
            return "cơ quan đơn vị báo cáo (riêng cấp này)"
        return "đơn vị báo cáo"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["value"] = int(self.value) if self.kind != "rate" else str(self.value)
        d["key_name"] = self.key_name
        d["key_registered"] = figure_keys.is_registered(self.key)
        d["figure_key"] = figure_keys.figure_key(self.key)
        d["unit_text"] = self.unit_text
        return d


@dataclass
class Skipped:
    text: str
    start: int
    pattern: str
    reason: str


@dataclass
class ListFound:
    count: int
    noun: str
    items: list[str]
    start: int
    end: int
    sentence: str
    pattern: str = "numbered_list"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Reading:
    text: str
    figures: list[Figure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    lists: list[ListFound] = field(default_factory=list)
    sentence_spans: list[tuple[int, int]] = field(default_factory=list)


# -------------------------------------------------------------------- lists
_LIST_RE = re.compile(
    r"(?i)(?<![\d.,])(\d{1,2})\s+(nhiệm vụ|chỉ tiêu|nội dung|giải pháp|mục tiêu|nhóm giải pháp|"
    r"tiêu chí|khâu đột phá|công việc|chương trình|phong trào|cuộc vận động)"
    r"([^:.\n]{0,160}?)(?:đó là|gồm|bao gồm|như sau|là)?\s*:\s*"
)


def _find_lists(text: str) -> list[ListFound]:
    found = []
    for m in _LIST_RE.finditer(text):
        body_start = m.end()
        end_m = re.compile(r"\.(?:\s*\n|\s*$)|\n").search(text, body_start)
        body_end = end_m.start() if end_m else len(text)
        body = text[body_start:body_end]
        items = [i.strip(" ;,-–") for i in re.split(r";", body) if i.strip(" ;,-–")]
        if len(items) < 2:
            continue
        sent_start = text.rfind("\n", 0, m.start()) + 1
        found.append(
            ListFound(
                count=int(m.group(1)),
                noun=m.group(2),
                items=items,
                start=m.start(),
                end=body_end,
                sentence=text[sent_start : min(m.end() + 80, body_end)].strip() + "…",
            )
        )
    return found


# --------------------------------------------------------------------- keys
# (rule name, key, kinds, unit regex, phrase regex, where). `where` is "after"
# (the words right after the number), "before" (the clause before it) or
# "clause" (anywhere in the clause). The first rule that matches wins.
_R = re.IGNORECASE
# fmt: off
KEY_RULES: list[tuple[str, str, set[str], str, str, str]] = [
    ("tuyen_truyen_luot", "tuyen_truyen_luot", {"count"}, r"lượt", r"tuyên truyền", "clause"),
    ("tuyen_truyen", "tuyen_truyen", {"count"}, r"cuộc|buổi", r"^\s*(?:cuộc|buổi)\s+tuyên truyền", "after"),
    ("toa_dam", "toa_dam", {"count"}, r"cuộc|buổi|tọa đàm", r"tọa đàm|toạ đàm", "after"),
    ("hoi_nghi_dbnd", "hoi_nghi_dbnd", {"count"}, r"hội nghị", r"^\s*hội nghị đại biểu nhân dân", "after"),
    ("ngay_hoi_ddk", "ngay_hoi_ddk", {"count"}, r"ngày hội", r"đại đoàn kết", "after"),
    ("doan_giam_sat", "doan_giam_sat", {"count"}, r"đoàn", r"^\s*đoàn\s+(?:kiểm tra,\s*)?giám sát", "after"),
    ("don_vi_duoc_giam_sat", "don_vi_duoc_giam_sat", {"count"}, r"đơn vị", r"giám sát", "before"),
    ("ttnd_giam_sat", "ttnd_giam_sat", {"count"}, r"cuộc|vụ việc|vụ", r"thanh tra nhân dân|TTND", "before"),
    ("gsdtcd_cong_trinh", "gsdtcd_cong_trinh", {"count"}, r"công trình|dự án", r"giám sát đầu tư|GSĐTCCĐ", "before"),
    ("phan_bien", "phan_bien", {"count"}, r"hội nghị|cuộc", r"^\s*(?:hội nghị|cuộc)\s+phản biện", "after"),
    ("doi_thoai", "doi_thoai", {"count"}, r"cuộc|buổi|hội nghị", r"^\s*(?:cuộc|buổi|hội nghị)\s+đối thoại", "after"),
    ("hoa_giai_tiep_nhan", "hoa_giai_tiep_nhan", {"count"}, r"vụ việc|vụ", r"tiếp nhận[^,;]{0,20}$", "before"),
    ("hoa_giai_thanh", "hoa_giai_thanh", {"count"}, r"vụ việc|vụ", r"hòa giải thành(?: công)?[^,;]{0,10}$|hoà giải thành[^,;]{0,10}$", "before"),
    ("ty_le_hoa_giai_thanh", "ty_le_hoa_giai_thanh", {"rate"}, r"%", r"hòa giải|hoà giải", "clause"),
    ("don_thu", "don_thu_tiep_nhan", {"count"}, r"đơn thư|đơn|lá đơn", r"tiếp nhận|nhận được", "before"),
    ("y_kien_cu_tri", "y_kien_cu_tri", {"count"}, r"ý kiến|kiến nghị", r"cử tri", "clause"),
    ("ung_ho_cap_tren", "ung_ho_cap_tren", {"money"}, r"", r"ủng hộ (?:Thành phố|Tỉnh|Trung ương|cấp trên|Quận|Huyện)\s*$", "before"),
    ("suat_qua_gia_tri", "qua_tang_gia_tri", {"money"}, r"", r"(?:suất|phần) quà[^;]{0,60}$|quà[^;]{0,15}(?:trị giá|tổng trị giá)\s*$", "before"),
    ("fund", "", {"money"}, r"", r"", "fund"),
    ("hoc_bong", "hoc_bong", {"count"}, r"suất học bổng|suất|học bổng", r"học bổng", "after"),
    ("suat_qua", "quy_vi_nguoi_ngheo_suat_qua", {"count"}, r"suất quà|phần quà|suất|phần", r"^\s*(?:suất|phần)(?: quà| quà Tết)?(?!\s*học)", "after"),
    ("nha_sua", "quy_vi_nguoi_ngheo_nha", {"count"}, r"nhà|căn nhà|căn|ngôi nhà", r"sửa", "before"),
    ("nha_sua_ho", "quy_vi_nguoi_ngheo_nha", {"count"}, r"hộ", r"sửa(?: chữa)? nhà[^,;]{0,12}$", "before"),
    ("nha_xay", "nha_dai_doan_ket_xay", {"count"}, r"nhà|căn nhà|căn|ngôi nhà", r"xây|làm|bàn giao|khởi công|tặng|trao", "before"),
    ("nha_ddk", "nha_dai_doan_ket_xay", {"count"}, r"nhà|căn nhà|căn|ngôi nhà", r"đại đoàn kết|tình thương|nhân ái", "after"),
    ("khen_tap_the", "khen_thuong_tap_the", {"count"}, r"tập thể", r"khen|biểu dương|tuyên dương", "clause"),
    ("khen_ca_nhan", "khen_thuong_ca_nhan", {"count"}, r"cá nhân|đại biểu|người|đồng chí|hội viên|đoàn viên|gương", r"khen|biểu dương|tuyên dương", "clause"),
]
# fmt: on

# Money of a fund: the fund last named before the amount (within a few
# sentences, or right after it in the clause) and the last verb before it in
# the clause: raising (vận động, ủng hộ, tiếp nhận …) or spending (trích, chi …).
_FUNDS = [
    (
        "vnn",
        re.compile(
            r"(?<!không qua )(?:Quỹ\s*)?[“\"]?(?:Ngày\s+)?[Vv]ì\s+người\s+nghèo", re.IGNORECASE
        ),
    ),
    ("cuu_tro", re.compile(r"cứu trợ|bão lũ|lũ lụt|mưa lũ|bão lụt|thiên tai", re.IGNORECASE)),
    ("bien_dao", re.compile(r"biển,?\s*đảo", re.IGNORECASE)),
]
_FUND_KEYS = {
    ("vnn", "raise"): "quy_vi_nguoi_ngheo_van_dong",
    ("vnn", "spend"): "quy_vi_nguoi_ngheo_chi",
    ("cuu_tro", "raise"): "cuu_tro_van_dong",
    ("bien_dao", "raise"): "quy_bien_dao_van_dong",
}
_VERBS = re.compile(
    r"(?<![\wÀ-ỹ])(?:(?P<raise>vận động|ủng hộ|huy động|tiếp nhận|thu được|quyên góp|đóng góp|đạt)"
    r"|(?P<spend>trích|chi|sử dụng|phân bổ)"
    r"|(?P<move>chuyển về|chuyển sang|cấp về|phân bổ về))(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
_TARGET = re.compile(r"phấn đấu|chỉ tiêu giao|kế hoạch giao|dự kiến", re.IGNORECASE)


def _fund_key(text: str, clause_start: int, start: int, end: int) -> tuple[str | None, str]:
    after = text[end : end + 40]
    fund = None
    for name, regex in _FUNDS:
        if regex.search(after.split(";")[0]):
            fund = name
    if fund is None:
        window = text[max(0, start - 300) : start]
        best = -1
        for name, regex in _FUNDS:
            for m in regex.finditer(window):
                if m.start() > best:
                    best, fund = m.start(), name
    if fund is None:
        return None, ""
    verb = None
    for m in _VERBS.finditer(text[clause_start:start]):
        verb = m.lastgroup
    if verb is None or verb == "move":
        return None, ""
    key = _FUND_KEYS.get((fund, verb))
    return key, f"fund_{fund}_{verb}" if key else ""


_KEY_RULES = [
    (
        name,
        key,
        kinds,
        re.compile(rf"^(?:{unit})", _R) if unit else None,
        re.compile(phrase, _R),
        where,
    )
    for name, key, kinds, unit, phrase, where in KEY_RULES
]

# ------------------------------------------------------------------ units (who)
_NAMED_UNIT = re.compile(
    r"(?:MTTQ|Mặt trận|Ủy ban|Uỷ ban|UBMTTQ)[^;,]{0,25}?\b(phường|xã|thị trấn)\s+"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3}|\d+)"
)
_CHILDREN = re.compile(
    r"(?:MTTQ|Mặt trận|Ủy ban|Uỷ ban|UBMTTQ|[Mm]ặt trận)[^;]{0,25}?\b(?:các\s+|\d+\s+)?(?:phường|xã|thị trấn|cơ sở)"
    r"(?!\s+[A-ZĐÀ-Ỹ\d])(?!\s+trên)|(?:^|[,;]\s*)(?:các|\d+)\s+(?:phường|xã)(?:,\s*thị trấn)?\s+(?:đã\s+)?"
    r"(?:tổ chức|vận động|trao|hỗ trợ|thực hiện|phối hợp)"
)
_SELF = re.compile(
    r"(?i)(?:các\s+)?cấp\s+(?:quận|huyện|tỉnh|thành phố|thị xã)"
    r"|(?:MTTQ|Ủy ban)[^;,]{0,20}(?:quận|huyện|tỉnh)\s+(?:đã\s+)?(?:tổ chức|phối hợp|trao|vận động)"
)


def _attribute(before: str) -> tuple[str, str]:
    """Whose figure: the nearest named ward, 'the wards', the office's own level
    ("cấp Quận", "Ủy ban MTTQ quận tổ chức") or, by default, the unit as a whole."""
    best: tuple[int, str, str] = (-1, "unit", "")
    for m in _NAMED_UNIT.finditer(before):
        best = max(best, (m.start(), "named", f"{m.group(1)} {m.group(2)}"))
    for m in _CHILDREN.finditer(before):
        best = max(best, (m.start(), "children", ""))
    for m in _SELF.finditer(before):
        if m.start() > best[0]:
            whole = "các cấp" in m.group(0) or "trên địa bàn" in m.group(0)
            best = (m.start(), "unit" if whole else "own", "")
    return best[1], best[2]


def _approx(before: str) -> str:
    tail = before[-14:]
    for regex, direction in _APPROX:
        if regex.search(tail):
            return direction
    return ""


# ------------------------------------------------------------------- reading
_MONEY_TAIL = re.compile(
    rf"^(\s*{_SCALE}(?:\s*(?:{NUM})\s*{_SCALE})*)?\s*({_CURRENCY})?", re.IGNORECASE
)
_COMPOUND = re.compile(rf"\s*({NUM})\s*({_SCALE})", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(%|phần trăm)")
_RATIO_CUE = re.compile(r"(?i)(?:hòa giải|hoà giải|thành|đạt|có|được|tỷ lệ)\s*$")
_RATIO = re.compile(rf"(?<![\w.,/\-])({NUM})\s?/\s?({NUM})(?![\d/])")


def _money_value(first: Decimal, tail: str) -> int:
    """'1,2' + ' tỷ' -> 1.2e9; '1' + ' tỷ 200 triệu' -> 1.2e9."""
    parts = re.findall(rf"({NUM})?\s*({_SCALE})", tail, re.IGNORECASE)
    value = Decimal(0)
    current = first
    for i, (num, scale) in enumerate(parts):
        if i > 0 and num:
            current = parse_number(num)
        value += current * SCALES[scale.lower()]
    if not parts:
        value = first
    return int(value)


def _clause_bounds(sent_start: int, sent_text: str, pos: int) -> int:
    return sent_start


def read_text(text: str) -> Reading:
    reading = Reading(text=text)
    spans = sentences(text)
    reading.sentence_spans = spans
    reading.lists = _find_lists(text)
    list_spans = [(lf.start, lf.end) for lf in reading.lists]
    pair = 0
    for s_index, (s_start, s_end) in enumerate(spans):
        sent = text[s_start:s_end]
        blocked: list[tuple[int, int, str, str]] = []
        for name, regex, reason in NOT_FIGURE:
            for m in regex.finditer(sent):
                blocked.append((m.start(), m.end(), name, reason))
        taken: list[tuple[int, int]] = []

        def is_blocked(a: int, b: int, s_start=s_start, blocked=blocked) -> tuple[str, str] | None:
            g = s_start + a
            for ls, le in list_spans:
                if ls <= g < le:
                    return ("list_item", "thuộc danh sách nhiệm vụ/chỉ tiêu, không phải số liệu")
            for bs, be, name, reason in blocked:
                if bs <= a and b <= be:
                    return (name, reason)
            return None

        def is_taken(a: int, taken=taken) -> bool:
            return any(ta <= a < tb for ta, tb in taken)

        # money in words
        for m in _WORDS_RE.finditer(sent):
            words = re.sub(rf"\s*{_CURRENCY}$", "", m.group(0), flags=re.IGNORECASE)
            value = words_to_int(words)
            if value is None or not re.search(_SCALE + "|trăm", words, re.IGNORECASE):
                continue
            before = sent[: m.start()]
            unit, unit_name = _attribute(before)
            direction = _approx(before)
            reading.figures.append(
                Figure(
                    value=value, kind="money", unit_label="đồng", text=m.group(0),
                    start=s_start + m.start(), end=s_start + m.end(), sentence=sent.strip(),
                    sentence_index=s_index, pattern="money_words", exact=not direction,
                    direction=direction, unit=unit, unit_name=unit_name,
                )
            )  # fmt: skip
            taken.append((m.start(), m.end()))

        # ratios a/b ("86/92", "111/152 xã")
        for m in _RATIO.finditer(sent):
            if is_taken(m.start()):
                continue
            block = is_blocked(m.start(), m.end())
            a, b = parse_number(m.group(1)), parse_number(m.group(2))
            after = sent[m.end() :]
            unit_m = _UNITS_RE.match(after)
            counted = _RATIO_CUE.search(sent[max(0, m.start() - 25) : m.start()])
            looks_date = b <= 12 and a <= 31 and not unit_m and not counted
            if block or looks_date or a > b:
                reading.skipped.append(
                    Skipped(m.group(0), s_start + m.start(), block[0] if block else "date_short",
                            block[1] if block else "ngày tháng")
                )  # fmt: skip
                taken.append((m.start(), m.end()))
                continue
            pair += 1
            label = unit_m.group(1).lower() if unit_m else ""
            before = sent[: m.start()]
            unit, unit_name = _attribute(before)
            for num, role, (ns, ne) in (
                (a, "part", m.span(1)),
                (b, "whole", m.span(2)),
            ):
                reading.figures.append(
                    Figure(
                        value=int(num), kind="count", unit_label=label, text=m.group(0),
                        start=s_start + ns, end=s_start + ne, sentence=sent.strip(),
                        sentence_index=s_index, pattern="ratio", unit=unit,
                        unit_name=unit_name, pair_id=pair, role=role,
                    )
                )  # fmt: skip
            taken.append((m.start(), m.end() + (unit_m.end() if unit_m else 0)))

        for m in _NUM_RE.finditer(sent):
            a, b = m.span()
            if is_taken(a):
                continue
            after = sent[b:]
            # a number glued to the next word ("131công trình") still reads
            block = is_blocked(a, b)
            if block:
                reading.skipped.append(Skipped(m.group(0), s_start + a, *block))
                continue
            number = parse_number(m.group(0))
            before = sent[:a]
            direction = _approx(before)
            unit, unit_name = _attribute(before)
            common = dict(
                sentence=sent.strip(), sentence_index=s_index, exact=not direction,
                direction=direction, unit=unit, unit_name=unit_name,
            )  # fmt: skip
            pm = _PERCENT.match(after)
            if pm:
                reading.figures.append(
                    Figure(value=number, kind="rate", unit_label="%", text=m.group(0) + pm.group(0),
                           start=s_start + a, end=s_start + b + pm.end(), pattern="percent", **common)
                )  # fmt: skip
                taken.append((a, b + pm.end()))
                continue
            mm = _MONEY_TAIL.match(after)
            scale_part, currency = (mm.group(1), mm.group(2)) if mm else (None, None)
            if scale_part or currency:
                end = b + mm.end()
                rest = sent[end:]
                unit_m = _UNITS_RE.match(rest) if not currency else None
                value = _money_value(number, scale_part or "")
                if unit_m and scale_part:  # "30 nghìn suất quà": a count in thousands
                    reading.figures.append(
                        Figure(value=value, kind="count", unit_label=unit_m.group(1).lower(),
                               text=sent[a : end + unit_m.end()], start=s_start + a,
                               end=s_start + end + unit_m.end(), pattern="count_scaled", **common)
                    )  # fmt: skip
                    taken.append((a, end + unit_m.end()))
                    continue
                reading.figures.append(
                    Figure(value=value, kind="money", unit_label="đồng", text=sent[a:end].strip(),
                           start=s_start + a, end=s_start + end,
                           pattern="money_scaled" if scale_part else "money_digits", **common)
                )  # fmt: skip
                taken.append((a, end))
                continue
            unit_m = _UNITS_RE.match(after)
            if unit_m and number == int(number):
                reading.figures.append(
                    Figure(value=int(number), kind="count", unit_label=unit_m.group(1).lower(),
                           text=sent[a : b + unit_m.end()], start=s_start + a,
                           end=s_start + b + unit_m.end(), pattern="count_unit", **common)
                )  # fmt: skip
                taken.append((a, b + unit_m.end()))
                continue
            reading.skipped.append(
                Skipped(m.group(0), s_start + a, "no_unit", "không rõ đơn vị tính")
            )
    reading.figures.sort(key=lambda f: (f.start, f.role != "part"))
    _drop_huge(reading)
    _level_after(reading)
    _drop_targets(reading)
    _assign_keys(reading)
    _mark_per_item(reading)
    _drop_scope_counts(reading)
    return reading


def _drop_huge(reading: Reading) -> None:
    """A number above the largest amount the system keeps is a typing slip or a code."""
    kept = []
    for f in reading.figures:
        if f.value > MAX_AMOUNT:
            reading.skipped.append(Skipped(f.text, f.start, "too_large", "số quá lớn"))
            continue
        kept.append(f)
    reading.figures = kept


_LEVEL_AFTER = re.compile(
    r"^[^,;.]{0,40}?(?<!các )cấp\s+(?:(?P<own>quận|huyện|tỉnh|thành phố|thị xã)|(?P<children>phường|xã|cơ sở))",
    re.IGNORECASE,
)


def _level_after(reading: Reading) -> None:
    """'02 Hội nghị phản biện xã hội cấp Quận': the level named right after the figure."""
    for f in reading.figures:
        m = _LEVEL_AFTER.match(reading.text[f.end : f.end + 60])
        if m and f.unit in ("unit", "own", "children"):
            f.unit = "own" if m.group("own") else "children"


PER_ITEM = re.compile(
    r"(?:,\s*|\s)mỗi\s+(?:suất|phần|hộ|người|em|căn|nhà|suất quà|phần quà|suất học bổng)"
    r"(?:\s+quà)?(?:\s+(?:trị giá|là|được hỗ trợ|hỗ trợ|gồm))?\s*$",
    re.IGNORECASE,
)
PER_SLASH = re.compile(r"^\s*/\s*(?:suất|phần|hộ|người|căn|nhà)", re.IGNORECASE)


def _mark_per_item(reading: Reading) -> None:
    """'mỗi suất 500 nghìn đồng', '900.000 đồng/suất': a price per item, not a total."""
    text = reading.text
    for f in reading.figures:
        if f.kind != "money":
            continue
        s_start, _ = reading.sentence_spans[f.sentence_index]
        if PER_ITEM.search(text[s_start : f.start]) or PER_SLASH.match(text[f.end : f.end + 12]):
            f.role, f.key, f.key_rule = "per_item", None, "per_item"


def _drop_targets(reading: Reading) -> None:
    """'phấn đấu vận động … đạt 400 triệu đồng': a target for the future, not a result."""
    kept = []
    for f in reading.figures:
        s_start, _ = reading.sentence_spans[f.sentence_index]
        clause_start = max(s_start, reading.text.rfind(";", s_start, f.start) + 1)
        if _TARGET.search(reading.text[clause_start : f.start]):
            reading.skipped.append(
                Skipped(f.text, f.start, "target", "chỉ tiêu phấn đấu, chưa phải kết quả")
            )
            continue
        kept.append(f)
    reading.figures = kept


def _assign_keys(reading: Reading) -> None:
    text = reading.text
    by_sentence: dict[int, list[Figure]] = {}
    for f in reading.figures:
        by_sentence.setdefault(f.sentence_index, []).append(f)
    for figs in by_sentence.values():
        for i, f in enumerate(figs):
            s_start, s_end = reading.sentence_spans[f.sentence_index]
            prev_end = s_start
            for g in figs[:i]:
                if g.pair_id is None or g.pair_id != f.pair_id:
                    prev_end = max(prev_end, g.end)
            nxt = next(
                (g.start for g in figs[i + 1 :] if g.pair_id is None or g.pair_id != f.pair_id),
                s_end,
            )
            before_near = text[prev_end : f.start]
            before = text[s_start : f.start]
            after = text[f.end : nxt][:80]
            label = f.unit_label
            for name, key, kinds, unit_re, phrase, where in _KEY_RULES:
                if f.kind not in kinds:
                    continue
                if f.pattern == "ratio" and name in ("hoa_giai_tiep_nhan", "hoa_giai_thanh"):
                    hay = text[s_start : f.start]
                    if re.search(r"hòa giải|hoà giải", hay[-40:], re.IGNORECASE):
                        f.key = "hoa_giai_thanh" if f.role == "part" else "hoa_giai_tiep_nhan"
                        f.key_rule = "hoa_giai_ratio"
                        break
                    continue
                if unit_re is not None and f.kind == "count" and not unit_re.match(label or " "):
                    continue
                if where == "fund":
                    clause_start = max(s_start, text.rfind(";", s_start, f.start) + 1)
                    fkey, rule = _fund_key(text, clause_start, f.start, f.end)
                    if fkey:
                        f.key, f.key_rule = fkey, rule
                        break
                    continue
                if where == "after":
                    hay = (label + " " + after) if f.kind == "count" else after
                    if not phrase.search(hay):
                        continue
                elif where == "before":
                    if not phrase.search(before_near if f.kind != "money" else before):
                        continue
                else:
                    if not phrase.search(text[s_start:s_end]):
                        continue
                f.key = key
                f.key_rule = name
                break


def _drop_scope_counts(reading: Reading) -> None:
    """'Ban công tác Mặt trận 21 phường': a count of administrative units with no
    key and not part of a ratio is a scope, not a result; keep it as skipped."""
    kept = []
    for f in reading.figures:
        if (
            f.kind == "count"
            and f.key is None
            and f.pair_id is None
            and f.unit_label in ADMIN_UNITS
        ):
            reading.skipped.append(
                Skipped(f.text, f.start, "scope_count", "số đơn vị hành chính (phạm vi)")
            )
            continue
        kept.append(f)
    reading.figures = kept
