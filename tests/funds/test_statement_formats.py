"""Tests for mattran.funds.statement_formats against the real published statements."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

import pytest

from mattran.core.errors import UserFacingError
from mattran.funds.statement_formats import (
    LAYOUTS,
    ColumnMapping,
    StatementFormatError,
    StatementLine,
    custom_layout,
    donor_name,
    donor_name_from_memo,
    fingerprints_with_occurrence,
    get_layout,
    iter_lines,
    line_fingerprint,
    reconcile_days,
)
from tests.paths import STATEMENTS_DIR

STATEMENTS = STATEMENTS_DIR
VCB_FILE = STATEMENTS / "vcb-0011001932418-2024-09-01_part00.csv"
AGRIBANK_FILE = STATEMENTS / "agribank-1500201113838-2024-09-12_part005.csv"
VIETINBANK_FILE = STATEMENTS / "vietinbank-111602391111-2024-09-12_part006.csv"


def _read(path: Path, code: str) -> list[StatementLine]:
    assert path.is_file(), f"missing sample statement {path}"  # fail, never skip
    return list(iter_lines(path, get_layout(code)))


@pytest.fixture(scope="module")
def vcb() -> list[StatementLine]:
    return _read(VCB_FILE, "vcb")


@pytest.fixture(scope="module")
def agribank() -> list[StatementLine]:
    return _read(AGRIBANK_FILE, "agribank")


@pytest.fixture(scope="module")
def vietinbank() -> list[StatementLine]:
    return _read(VIETINBANK_FILE, "vietinbank")


def _csv_text(path: Path, keep: Callable[[int], bool]) -> io.StringIO:
    """A copy of a sample file keeping only the data rows (1-based) that ``keep`` accepts."""
    out = io.StringIO()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        for number, row in enumerate(reader, start=1):
            if keep(number):
                writer.writerow(row)
    out.seek(0)
    return out


# ---------------------------------------------------------------- layouts & parsing


def test_presets_exist():
    assert set(LAYOUTS) == {"vcb", "vietinbank", "agribank", "bidv"}
    with pytest.raises(UserFacingError, match="Không có mẫu sao kê"):
        get_layout("acb")


def test_vcb_file(vcb):
    assert len(vcb) == 8008
    assert [line.row_number for line in vcb] == list(range(1, 8009))
    first = vcb[0]
    assert first.booked_on == date(2024, 9, 1)
    assert first.booked_at is None
    assert first.doc_no == "5213.45946"
    assert (first.debit, first.credit, first.balance) == (0, 50_000, None)
    assert first.memo == "292976.010924.013647.xin cam on"
    assert first.raw["Credit"] == "50.000"
    debits = [line for line in vcb if line.debit]
    assert [(d.row_number, d.booked_on, d.debit, d.credit) for d in debits] == [
        (140, date(2024, 9, 7), 55_000, 0)
    ]
    assert sum(line.credit for line in vcb) == 9_783_779_052
    day_ends = [line.row_number for line in vcb if line.balance is not None]
    assert day_ends == [14, 19, 28, 70, 102, 136, 195, 698, 6977]
    assert vcb[13].balance == 10_847_331_843
    # DocNo is not unique in this file (7 numbers appear twice, on different transfers)
    assert len({line.doc_no for line in vcb}) == 8001


def test_agribank_file(agribank):
    assert len(agribank) == 2493
    assert {line.booked_on for line in agribank} == {date(2024, 9, 12)}
    assert not any(line.debit for line in agribank)
    assert all(line.balance is not None for line in agribank)
    first = agribank[0]
    assert (first.reference, first.credit, first.balance) == ("94268522", 200_000, 34_020_836_520)
    assert first.raw["CreditAmount"] == "200,000"
    assert agribank[257].memo == "Nguyễn Thị Hòa nộp tiền ủng hộ lũ lụt"
    assert sum(line.credit for line in agribank) == 9_532_495_377


def test_vietinbank_file(vietinbank):
    assert len(vietinbank) == 6474
    assert not any(line.debit for line in vietinbank)
    assert all(line.balance is None for line in vietinbank)  # the column is empty
    first = vietinbank[0]
    assert first.booked_at == time(21, 9, 43)
    assert vietinbank[-1].booked_at == time(23, 11, 19)
    assert first.credit == 17_222_222
    # a memo wrapped over three lines inside quotes becomes one line
    assert first.memo == (
        "66686960533-0979828575-TRAN THANH HOA ung ho nhan dan khac phuc hau qua con bao so 3 Yagi"
    )
    assert "\n" in first.raw["TransactionDetails"]
    assert first.counterparty == "Chi ho Cong ty Vi MoMo"
    assert not any("A/C" in line.counterparty for line in vietinbank)
    assert sum(line.credit for line in vietinbank) == 2_754_947_882


def test_each_bank_reads_its_own_separator_only():
    vcb = get_layout("vcb")
    agribank = get_layout("agribank")
    good_vcb = (
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n01/09/2024,1,,1.000.000,,x\n"
    )
    assert next(iter_lines(io.StringIO(good_vcb), vcb)).credit == 1_000_000
    with pytest.raises(StatementFormatError) as caught:
        list(iter_lines(io.StringIO(good_vcb.replace("1.000.000", '"1,000,000"')), vcb))
    assert str(caught.value) == "Dòng 1, cột 'Credit': số tiền '1,000,000' không hợp lệ"
    header = (
        "PageId,Date,Time,DocumentNumber,ReferenceNumber,TransactionDetails,"
        "DebitAmount,CreditAmount,Balance,OffsetAccount\n"
    )
    good_agri = header + '1,12/09/2024,,,1,x,,"200,000","34,020,836,520",\n'
    line = next(iter_lines(io.StringIO(good_agri), agribank))
    assert (line.credit, line.balance) == (200_000, 34_020_836_520)
    with pytest.raises(StatementFormatError, match="số tiền '200.000' không hợp lệ"):
        list(iter_lines(io.StringIO(good_agri.replace('"200,000"', "200.000")), agribank))


# --------------------------------------------------------------------------- errors

VCB_HEADER = "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "01/09/2024,1,,50.000,,a\n01/09/2024,2,,12a,,b\n",
            "Dòng 2, cột 'Credit': số tiền '12a' không hợp lệ",
        ),
        ("01/09/2024,1,-5.000,,,a\n", "Dòng 1, cột 'Debit': số tiền '-5.000' không hợp lệ"),
        ("01/09/2024,1,,50.00,,a\n", "Dòng 1, cột 'Credit': số tiền '50.00' không hợp lệ"),
        (
            "32/09/2024,1,,50.000,,a\n",
            "Dòng 1, cột 'TNXDate': ngày '32/09/2024' không đúng định dạng dd/mm/yyyy",
        ),
        (
            "2024-09-01,1,,50.000,,a\n",
            "Dòng 1, cột 'TNXDate': ngày '2024-09-01' không đúng định dạng dd/mm/yyyy",
        ),
        (",1,,50.000,,a\n", "Dòng 1, cột 'TNXDate': thiếu ngày giao dịch"),
        ("01/09/2024,1,,50.000,,a,extra\n", "Dòng 1: có 7 ô, nhiều hơn 6 cột của tiêu đề"),
    ],
)
def test_bad_cells_name_row_and_column(rows, message):
    with pytest.raises(StatementFormatError) as caught:
        list(iter_lines(io.StringIO(VCB_HEADER + rows), get_layout("vcb")))
    assert str(caught.value) == message
    assert caught.value.row_error.row == int(message.split()[1].rstrip(":,"))


def test_missing_column_is_reported_from_the_header():
    text = "TNXDate,DocNo,Debit,Balance,Transactions in Detail\n01/09/2024,1,,,a\n"
    with pytest.raises(StatementFormatError) as caught:
        list(iter_lines(io.StringIO(text), get_layout("vcb")))
    assert str(caught.value) == "Thiếu cột 'Credit' trong tệp"
    assert isinstance(caught.value, UserFacingError)


def test_empty_file():
    with pytest.raises(StatementFormatError, match="Tệp trống"):
        list(iter_lines(io.StringIO(""), get_layout("vcb")))


def test_blank_rows_are_skipped_but_keep_numbering():
    text = VCB_HEADER + "01/09/2024,1,,50.000,,a\n,,,,,\n01/09/2024,2,,12a,,b\n"
    with pytest.raises(StatementFormatError, match="^Dòng 3, cột 'Credit'"):
        list(iter_lines(io.StringIO(text), get_layout("vcb")))


def test_bytes_stream_with_bom_is_read_and_left_open():
    data = ("\ufeff" + VCB_HEADER + '01/09/2024,1,,50.000,,"Nguyễn\r\nVăn A"\r\n').encode()
    stream = io.BytesIO(data)
    (line,) = iter_lines(stream, get_layout("vcb"))
    assert (line.credit, line.memo) == (50_000, "Nguyễn Văn A")
    assert not stream.closed


def test_binary_file_like_without_io_base():
    class Upload:  # the shape of an uploaded file: read() and iteration over byte lines
        def __init__(self, data: bytes):
            self._lines = io.BytesIO(data).readlines()

        def read(self, size: int = -1) -> bytes:
            return b""

        def __iter__(self):
            return iter(self._lines)

    data = (VCB_HEADER + '01/09/2024,1,,50.000,,"Hoà\nBình"\n').encode()
    (line,) = iter_lines(Upload(data), get_layout("vcb"))
    assert line.memo == "Hoà Bình"


def test_reading_is_streamed():
    class CountingText(io.StringIO):
        consumed = 0

        def __next__(self):
            CountingText.consumed += 1
            return super().__next__()

    body = VCB_HEADER + "01/09/2024,1,,50.000,,a\n" * 10_000
    stream = CountingText(body)
    first = next(iter_lines(stream, get_layout("vcb")))
    assert first.credit == 50_000
    assert CountingText.consumed < 10


# ------------------------------------------------------------------- other layouts


def test_bidv_preset_reads_the_published_columns():
    text = (
        "STT,Ngày giao dịch,Phát sinh có,Diễn giải\n"
        '672,10/09/2024 01:03:56,200.000,"1261122666 NGUYEN THI HUYEN TRANG Chuyen tien; '
        'thoi gian GD:09092024 23:55:31"\n'
        '673,10/09/2024 01:04:10,"1.000.000,00",1261122666 Ung ho dong bao\n'
    )
    layout = get_layout("bidv")
    first, second = iter_lines(io.StringIO(text), layout)
    assert (first.booked_on, first.booked_at, first.doc_no) == (
        date(2024, 9, 10),
        time(1, 3, 56),
        "672",
    )
    assert (first.credit, first.debit, first.balance) == (200_000, 0, None)
    assert second.credit == 1_000_000
    assert donor_name(first, layout) == "NGUYEN THI HUYEN TRANG"
    assert donor_name(second, layout) is None
    with pytest.raises(StatementFormatError, match="có phần lẻ dưới một đồng"):
        list(iter_lines(io.StringIO(text.replace("1.000.000,00", "1.000.000,50")), layout))


def test_custom_mapping_with_signed_amount_and_no_grouping():
    mapping = ColumnMapping(
        date="Ngày",
        date_format="%Y-%m-%d",
        amount="Số tiền",
        memo="Nội dung",
        reference="Mã GD",
        thousands_sep="",
        delimiter=";",
    )
    text = "Ngày;Mã GD;Số tiền;Nội dung\n2024-09-10;A1;-22000;Phí\n2024-09-10;A2;+500000;Ủng hộ\n"
    fee, gift = iter_lines(io.StringIO(text), custom_layout(mapping))
    assert (fee.debit, fee.credit, fee.reference) == (22_000, 0, "A1")
    assert (gift.debit, gift.credit) == (0, 500_000)
    with pytest.raises(StatementFormatError, match="số tiền '22.000' không hợp lệ"):
        list(iter_lines(io.StringIO(text.replace("-22000", "22.000")), custom_layout(mapping)))


def test_column_mapping_validates_itself():
    with pytest.raises(ValueError):
        ColumnMapping(date="d", memo="m", credit="c", thousands_sep="'")
    with pytest.raises(ValueError):
        ColumnMapping(date="d", memo="m")
    with pytest.raises(ValueError):
        ColumnMapping(date="d", memo="m", credit="c", amount="a")
    with pytest.raises(ValueError):
        ColumnMapping(date="d", memo="m", credit="c", thousands_sep=".", decimal_sep=".")


def test_xlsx_with_typed_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SAO KÊ TÀI KHOẢN"])
    sheet.append(["Ngày", "Ghi nợ", "Ghi có", "Số dư", "Diễn giải"])
    sheet.append([datetime(2024, 9, 10), None, 500000, 1500000, "NGUYEN VAN A chuyen tien"])
    sheet.append(["11/09/2024", 22000, None, "1.478.000", "Phí SMS"])
    path = tmp_path / "statement.xlsx"
    workbook.save(path)
    mapping = ColumnMapping(
        date="Ngày",
        debit="Ghi nợ",
        credit="Ghi có",
        balance="Số dư",
        memo="Diễn giải",
        skip_rows=1,
    )
    gift, fee = iter_lines(path, custom_layout(mapping))
    assert (gift.booked_on, gift.credit, gift.balance) == (date(2024, 9, 10), 500_000, 1_500_000)
    assert (fee.booked_on, fee.debit, fee.balance) == (date(2024, 9, 11), 22_000, 1_478_000)
    assert [r.status for r in reconcile_days([gift, fee])] == ["reconciled", "reconciled"]


# ------------------------------------------------------------------- reconciliation


def test_vcb_reconciles_all_eight_checkable_days(vcb):
    days = reconcile_days(vcb)
    assert [(d.day.day, d.status) for d in days] == [
        (1, "unverifiable"),  # first day: no opening balance in this excerpt
        *[(n, "reconciled") for n in range(2, 10)],
        (10, "unverifiable"),  # continues in part01: no day-end balance here
    ]
    assert sum(d.status == "reconciled" for d in days) == 8
    sep8 = days[7]
    assert (sep8.opening_balance, sep8.closing_balance) == (10_866_106_731, 11_751_516_932)
    assert (sep8.first_row, sep8.last_row, sep8.line_count) == (196, 698, 503)
    assert sep8.message == "Ngày 08/09/2024: số dư khớp, không thiếu giao dịch nào"
    sep7 = days[6]
    assert sep7.debits == 55_000
    assert days[0].message.endswith("không biết số dư đầu ngày")
    assert days[-1].message.endswith("không có số dư cuối ngày")


def test_vcb_reports_a_missing_row(vcb):
    dropped = next(line for line in vcb if line.row_number == 300)
    lines = list(iter_lines(_csv_text(VCB_FILE, lambda n: n != 300), get_layout("vcb")))
    days = {d.day: d for d in reconcile_days(lines)}
    sep8 = days[date(2024, 9, 8)]
    assert sep8.status == "gap"
    assert sep8.missing_amount == dropped.credit == 20_000
    (gap,) = sep8.breaks
    # rows are renumbered in the shortened file: the 08/09 closing row is now 697
    assert (gap.after_row, gap.at_row) == (195, 697)
    assert (
        sep8.message
        == "Ngày 08/09/2024: lệch 20.000 đ giữa dòng 195 và dòng 697 (thiếu tiền ghi có)"
    )
    assert days[date(2024, 9, 9)].status == "reconciled"  # re-anchored on the printed balance


def test_agribank_balances_hold_row_by_row(agribank):
    (day,) = reconcile_days(agribank)
    assert day.status == "reconciled"
    assert day.checked_balances == 2492  # row 1 only gives the opening balance
    assert day.opening_balance == 34_020_836_520 - 200_000
    assert day.closing_balance == 43_553_131_897
    assert day.opening_balance + day.credits == day.closing_balance


def test_agribank_missing_row_is_located(agribank):
    lines = [line for line in agribank if line.row_number != 1000]
    (day,) = reconcile_days(lines)
    assert day.status == "gap"
    (gap,) = day.breaks
    assert (gap.after_row, gap.at_row) == (999, 1001)
    assert gap.difference == agribank[999].credit


def test_newest_first_statements(agribank):
    backwards = list(reversed(agribank))
    assert reconcile_days(backwards)[0].status == "gap"  # read in the wrong direction
    (day,) = reconcile_days(backwards, newest_first=True)
    assert day.status == "reconciled"


def test_vietinbank_cannot_be_reconciled(vietinbank):
    (day,) = reconcile_days(vietinbank)
    assert day.status == "unverifiable"
    assert day.checked_balances == 0
    assert day.message == "Ngày 12/09/2024: không kiểm tra được vì sao kê không ghi số dư"
    assert day.credits == 2_754_947_882


def test_reconcile_empty():
    assert reconcile_days([]) == []


# --------------------------------------------------------------------- fingerprints


@pytest.mark.parametrize(
    ("path", "code"),
    [(VCB_FILE, "vcb"), (AGRIBANK_FILE, "agribank"), (VIETINBANK_FILE, "vietinbank")],
)
def test_reimport_gives_the_same_keys_and_excerpts_a_subset(path, code):
    layout = get_layout(code)
    first = [key for _, key in fingerprints_with_occurrence(iter_lines(path, layout))]
    again = [key for _, key in fingerprints_with_occurrence(iter_lines(path, layout))]
    assert first == again
    assert len(set(first)) == len(first)
    excerpt = iter_lines(_csv_text(path, lambda n: 500 <= n <= 1500), layout)
    keys = [key for _, key in fingerprints_with_occurrence(excerpt)]
    assert len(keys) == 1001
    assert set(keys) <= set(first)


def test_identical_lines_are_both_kept():
    same = "09/09/2024,1,,100.000,,Ung ho\n"
    text = VCB_HEADER + same + same + "09/09/2024,1,,100.000,,Ung ho khac\n"

    def keys_of(body: str) -> list[str]:
        lines = iter_lines(io.StringIO(body), get_layout("vcb"))
        return [key for _, key in fingerprints_with_occurrence(lines)]

    keys = keys_of(text)
    assert keys[0].endswith(":1") and keys[1].endswith(":2")
    assert keys[0].split(":")[0] == keys[1].split(":")[0]
    assert len(set(keys)) == 3
    assert keys_of(text) == keys


def test_fingerprint_ignores_row_number_and_memo_wrapping(vietinbank):
    line = vietinbank[0]
    moved = StatementLine(
        row_number=99,
        booked_on=line.booked_on,
        booked_at=line.booked_at,
        doc_no=line.doc_no,
        reference=line.reference,
        debit=line.debit,
        credit=line.credit,
        balance=line.balance,
        memo=line.memo.replace(" ung ho", "\nung  ho"),
        counterparty=line.counterparty,
        raw={},
    )
    assert line_fingerprint(moved) == line_fingerprint(line)


def test_vietinbank_lines_differ_only_by_time(vietinbank):
    # Three pairs of MoMo transfers match on everything but the booking time.
    rows = {line.row_number: line for line in vietinbank}
    a, b = rows[4961], rows[5238]
    assert (a.memo, a.credit, a.counterparty) == (b.memo, b.credit, b.counterparty)
    assert line_fingerprint(a) != line_fingerprint(b)


# ---------------------------------------------------------------------- donor names


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (1, None),  # 292976.010924.013647.xin cam on
        (2, None),  # VCB.CTDK....ADIDA PHAT. CT tu 0481000755821 toi ...: no holder name
        (3, "CAO VIET TUAN"),  # MBVCB....CT tu 0101001222009 CAO VIET TUAN toi ...
        (4, "DO DUC LOI"),  # 272986.010924.101858.DO DUC LOI chuyen tien
        (5, None),  # ...Vietcombank:0011001932418:DANG THI THANH MHS533583
        (8, None),  # "NGUYE N THI VAN chuyen tien": a word split by the PDF
        (11, None),  # PARTNER...Nguyet chuyen tien qua Zalopay: one word
        (12, "NGUYEN THI MAO"),  # ...NGUYEN THI MAO Chuyen tien
        (140, None),  # THU PHI DICH VU SMS ... (bank fee)
        (300, "DAO THUY HONG"),  # 719500.080924.172947.DAO THUY HONG chuyen tien
    ],
)
def test_vcb_donor_names(vcb, row, expected):
    assert donor_name_from_memo(vcb[row - 1].memo, get_layout("vcb")) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (1, None),  # Ung ho cac tinh bi bao lu FT24256610891339
        (4, None),  # Gia dinh ong Nguyen Sy Phuong, nha so 2A ...
        (5, "NGUYEN THI KIM THOA"),  # NGUYEN THI KIM THOA Ck ung ho bao lut
        (11, None),  # GIANG QUANG HUNG R5A 25 12 12A ung ho ...: not followed by a keyword
        (100, "NGUYEN THI HUONG"),  # MBVCB...CT tu 0021000250044 NGUYEN THI HUONG toi ...
        (102, "LE DUY TOAN"),  # LE DUY TOAN UNG HO DONG BAO ...
        (258, "Nguyễn Thị Hòa"),  # Nguyễn Thị Hòa nộp tiền ủng hộ lũ lụt
        (485, "Lê Thị Tữ"),  # Lê Thị Tữ chuyển tiền ủng hộ các tỉnh bị bão lũ
    ],
)
def test_agribank_donor_names(agribank, row, expected):
    assert donor_name_from_memo(agribank[row - 1].memo, get_layout("agribank")) == expected


@pytest.mark.parametrize(
    ("row", "from_memo", "from_line"),
    [
        (1, "TRAN THANH HOA", "TRAN THANH HOA"),  # MoMo id-phone-NAME; counterparty is MoMo
        (2, None, "LUONG THI HA"),  # memo has no keyword after the name; counterparty has it
        (3, "LE DINH TRUONG", "LE DINH TRUONG"),  # CT nhanh 247 den: MBVCB.x.y.LE DINH TRUONG
        (11, "THAI PHAM MINH CHAU", "THAI PHAM MINH CHAU"),  # NAPAS; counterparty MOMOIBFT
        (6474, "NGUYEN HOANG THONG", "NGUYEN HOANG THONG"),
    ],
)
def test_vietinbank_donor_names(vietinbank, row, from_memo, from_line):
    layout = get_layout("vietinbank")
    line = vietinbank[row - 1]
    assert donor_name_from_memo(line.memo, layout) == from_memo
    assert donor_name(line, layout) == from_line


@pytest.mark.parametrize(
    "memo",
    [
        "UNG HO DONG BAO CHUYEN TIEN",
        "Cong ty TNHH ABC chuyen tien ung ho",
        "GIA DINH NGUYEN VAN A ung ho",
        "Tran thi hong van so nha 20 ung ho",
        "An ung ho",
        "",
    ],
)
def test_unsure_memos_give_none(memo):
    assert donor_name_from_memo(memo, get_layout("agribank")) is None


def test_xlsx_letterhead_names_the_account_and_the_header_is_found_below_it(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from mattran.funds.statement_formats import get_layout, letterhead_account

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM"])
    sheet.append(["Số tài khoản:", "1500 2011 13838"])
    sheet.append([])
    sheet.append(["TNXDate", "DocNo", "Debit", "Credit", "Balance", "Transactions in Detail"])
    sheet.append(["12/09/2024", "1", None, "200.000", None, "ung ho"])
    path = tmp_path / "statement.xlsx"
    workbook.save(path)
    layout = get_layout("vcb")
    assert letterhead_account(path, layout) == "1500201113838"
    (line,) = iter_lines(path, layout)
    assert (line.row_number, line.credit, line.memo) == (1, 200_000, "ung ho")
