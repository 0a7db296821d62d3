"""Oversized, malformed and hostile uploads: bulk XLSX entry, bank statement import,
activity attachments. Each is refused with a Vietnamese message, quickly, without
a server error, without exhausting memory, and nothing is written."""

from __future__ import annotations

import io
import re
import resource
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mattran.access.models import Role
from mattran.activities.importers import bulk_template
from mattran.activities.models import ActivityRecord, ActivityType
from mattran.core.errors import UserFacingError
from mattran.core.models import Job
from mattran.core.periods import Period
from mattran.core.uploads import xlsx_check
from mattran.funds import services as funds
from mattran.funds.importing import statement_import_run
from mattran.funds.models import AccountKind, FundKind, LedgerEntry, StatementImport, StatementLine
from tests.factories import UserFactory, grant
from tests.paths import STATEMENTS_DIR

from .hostile import MARKERS, SCRIPTS, TALLY, check_page

MB = 1024 * 1024
BOMB_MB = 400
VCB_FILE = STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv"


def _rebuild(base: bytes, replace: dict[str, bytes | None], *, big: str | None = None) -> bytes:
    """`base` with members replaced (None: dropped); `big` is streamed as a bomb."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename == big:
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>'
                    )
                    chunk = b"<row/>" * (MB // 6)
                    for _ in range(BOMB_MB):
                        fh.write(chunk)
                    fh.write(b"</sheetData></worksheet>")
            elif info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def _lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """Patch a member's uncompressed size in both headers: the archive says it is small."""
    buf = bytearray(data)
    encoded = name.encode()
    pos = buf.find(b"PK\x01\x02" + b"")
    while pos != -1:  # central directory entries
        n = int.from_bytes(buf[pos + 28 : pos + 30], "little")
        if bytes(buf[pos + 46 : pos + 46 + n]) == encoded:
            buf[pos + 24 : pos + 28] = declared.to_bytes(4, "little")
        pos = buf.find(b"PK\x01\x02", pos + 4)
    pos = buf.find(b"PK\x03\x04")
    while pos != -1:  # local headers
        n = int.from_bytes(buf[pos + 26 : pos + 28], "little")
        if bytes(buf[pos + 30 : pos + 30 + n]) == encoded:
            buf[pos + 22 : pos + 26] = declared.to_bytes(4, "little")
        pos = buf.find(b"PK\x03\x04", pos + 4)
    return bytes(buf)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.fixture(scope="module")
def hostile_xlsx(django_db_blocker):
    """name -> (bytes, the words the refusal must contain), built once."""
    with django_db_blocker.unblock():
        # A real template is needed as the base; build it in a throwaway transaction.
        from django.db import transaction

        from tests.factories import make_unit

        with transaction.atomic():
            from django.apps import apps

            from mattran.activities import catalogue

            if not ActivityType.objects.exists():
                catalogue.install(apps)
            base = bulk_template(unit=make_unit("Phường Mẫu"), period=Period.parse("2023-09"))
            transaction.set_rollback(True)
    bomb = _rebuild(base, {}, big="xl/worksheets/sheet2.xml")
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        assert sum(i.file_size for i in z.infolist()) > BOMB_MB * MB  # really a bomb
    assert len(bomb) < 3 * MB
    liar = _lie_about_size(
        _rebuild(base, {}, big="xl/worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml", 1000
    )
    return {
        "zip bomb (400 MB sheet)": (bomb, "giải nén quá lớn"),
        "zip bomb lying about its size": (liar, "không phải tệp Excel"),
        "XML entity bomb (billion laughs)": (
            _rebuild(
                base,
                {
                    "xl/worksheets/sheet1.xml": BILLION_LAUGHS,
                    "xl/worksheets/sheet2.xml": BILLION_LAUGHS,
                },
            ),
            "không phải tệp Excel",
        ),
        "truncated xlsx": (base[: len(base) // 2], "không phải tệp Excel"),
        "random bytes": (b"PK\x03\x04" + bytes(range(256)) * 40, "không phải tệp Excel"),
        "CSV renamed .xlsx": ("Ngày,Số tiền\n01/09/2024,100000\n".encode(), "không phải tệp Excel"),
        "zip without a workbook": (_zip({"hello.txt": b"xin chao"}), "không phải tệp Excel"),
        "broken sheet XML": (
            _rebuild(base, {"xl/worksheets/sheet2.xml": b"<worksheet><sheetData><row><c>"}),
            "không phải tệp Excel",
        ),
        "empty file": (b"", "không phải tệp Excel"),
    }


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture
def editor(tree):
    user = UserFactory()
    grant(user, tree["district_a"], Role.EDITOR)
    return user


@pytest.fixture
def relief(tree, editor):
    fund = funds.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ Cứu trợ",
        kind=FundKind.RELIEF,
        opened_on=__import__("datetime").date(2024, 1, 1),
    )
    account = funds.fund_account_create(
        actor=editor,
        fund=fund,
        kind=AccountKind.BANK,
        bank_name="Vietcombank",
        account_number="0011001932418",
    )
    return fund, account


# ----------------------------------------------------------------- xlsx uploads


def test_hostile_xlsx_refused_by_bulk_entry_and_statement_import(
    client, tree, editor, relief, hostile_xlsx, tmp_path
):
    fund, account = relief
    client.force_login(editor)
    before = _peak_mb()
    bulk_url = f"/hoat-dong/don-vi/{tree['district_a'].pk}/nhap-excel/"
    for name, (data, words) in hostile_xlsx.items():
        # Bulk entry page.
        started = time.monotonic()
        response = client.post(
            bulk_url, {"ky": "2023-09", "tep": SimpleUploadedFile("nhap.xlsx", data)}
        )
        assert response.status_code == 200, name
        body = response.content.decode()
        expected = words if data else "Tập tin"  # Django's own "the file is empty"
        assert expected in body, (name, body[body.find("alert") :][:400])
        assert time.monotonic() - started < 10, name
        # Statement upload form: a broken archive is refused before any job is queued;
        # what only shows while reading rows fails the job, in Vietnamese, writing nothing.
        response = client.post(
            f"/quy/{fund.pk}/nhap-sao-ke/",
            {"account": account.pk, "layout": "vcb", "file": SimpleUploadedFile("sk.xlsx", data)},
        )
        if response.status_code == 302:
            job = Job.objects.latest("id")
            assert job.status == "failed", name
            assert not job.message.isascii() and "Lỗi hệ thống" not in job.message, name
        else:
            assert response.status_code == 200, name
            expected = words if data else "Tập tin"  # Django's own "the file is empty"
            assert expected in response.content.decode(), name
        # The import itself (a file already stored, run as the job would).
        path = tmp_path / "sao-ke.xlsx"
        path.write_bytes(data)
        with pytest.raises(UserFacingError) as refused:
            statement_import_run(
                actor=editor, account=account, path=path, file_name="sk.xlsx", layout_code="vcb"
            )
        assert not refused.value.message.isascii(), name
        TALLY.cases["xlsx uploads"] += 3
    assert not ActivityRecord.objects.exists()
    assert set(Job.objects.values_list("status", flat=True)) <= {"failed"}
    assert not StatementImport.objects.filter(status="done").exists()
    assert not StatementLine.objects.exists()
    assert not LedgerEntry.objects.exists()
    # A 400 MB sheet was never inflated: the process grew by far less than that.
    assert _peak_mb() - before < 150


def test_guard_passes_real_workbooks(tree):
    data = bulk_template(unit=tree["district_a"], period=Period.parse("2023-09"))
    xlsx_check(data)  # no error
    xlsx_check(io.BytesIO(data))


# ------------------------------------------------------------------ size limits


def test_oversized_uploads(client, tree, editor, relief, settings):
    fund, account = relief
    client.force_login(editor)
    big = b"x" * (5 * MB + 1)
    body = client.post(
        f"/hoat-dong/don-vi/{tree['district_a'].pk}/nhap-excel/",
        {"ky": "2023-09", "tep": SimpleUploadedFile("nhap.xlsx", big)},
    ).content.decode()
    assert "Tệp Excel quá lớn (tối đa 5 MB)." in body
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"statement": 1 * MB}
    body = client.post(
        f"/quy/{fund.pk}/nhap-sao-ke/",
        {
            "account": account.pk,
            "layout": "vcb",
            "file": SimpleUploadedFile("sk.csv", b"x" * (MB + 1)),
        },
    ).content.decode()
    assert "Tệp sao kê quá lớn (tối đa 1 MB)." in body
    tuyen_truyen = ActivityType.objects.get(code="tuyen_truyen")
    body = client.post(
        f"/hoat-dong/don-vi/{tree['district_a'].pk}/them/",
        {
            "type": tuyen_truyen.pk,
            "date": "2023-09-14",
            "title": "Tuyên truyền",
            "attendance": 10,
            "attachment": SimpleUploadedFile("bien-ban.pdf", b"%PDF" + b"0" * (10 * MB)),
        },
    ).content.decode()
    assert "Tệp đính kèm quá lớn (tối đa 10 MB)." in body
    assert not ActivityRecord.objects.exists() and not Job.objects.exists()
    TALLY.cases["oversized uploads"] += 3


# -------------------------------------------------------------- malformed CSV


CSV_CASES = {
    "binary garbage": bytes(range(256)) * 50,
    "NUL bytes": "Ngày giao dịch,Số tiền\x00\n".encode() * 3,
    "not a statement (wrong columns)": "Họ tên,Địa chỉ\nNguyễn Văn An,Hà Nội\n".encode(),
    "latin-1 instead of UTF-8": "Ngày,Số tiền\n01/09/2024,100\n".encode().replace(
        "à".encode(), b"\xe0"
    ),
    "empty": b"",
}


def test_malformed_statement_csv_fails_in_vietnamese(client, tree, editor, relief):
    fund, account = relief
    client.force_login(editor)
    good_header = VCB_FILE.read_bytes().split(b"\n")[0]
    cases = dict(CSV_CASES)
    cases["bad amount in a real layout"] = (
        good_header
        + b"\n"
        + b",".join([b"01/09/2024", b"X", b"mot tram nghin", b"0", b"<script>alert(1)</script>"])
        + b"\n"
    )
    for name, data in cases.items():
        response = client.post(
            f"/quy/{fund.pk}/nhap-sao-ke/",
            {"account": account.pk, "layout": "vcb", "file": SimpleUploadedFile("sk.csv", data)},
        )
        if name == "empty":  # refused by the form itself
            assert response.status_code == 200
            check_page("malformed CSV", response.content.decode(), shows=["Tập tin"])
            continue
        if name in ("binary garbage", "NUL bytes"):  # not text: the upload module refuses it
            assert response.status_code == 200
            check_page("malformed CSV", response.content.decode(), shows=["không phải CSV"])
            continue
        assert response.status_code == 302, name
        job = Job.objects.latest("id")
        assert job.status == "failed", (name, job.status)
        assert not job.message.isascii() and "Lỗi hệ thống" not in job.message, (name, job.message)
        page = client.get(f"/quy/cong-viec/{job.pk}/").content.decode()
        check_page("malformed CSV", page, shows=[job.message[:40]])
    assert not StatementLine.objects.exists() and not LedgerEntry.objects.exists()


# ------------------------------------------------------------------ attachments


def test_attachment_names_and_types(client, tree, editor):
    client.force_login(editor)
    tuyen_truyen = ActivityType.objects.get(code="tuyen_truyen")
    url = f"/hoat-dong/don-vi/{tree['district_a'].pk}/them/"

    def send(name: str, data: bytes, title: str):
        return client.post(
            url,
            {
                "type": tuyen_truyen.pk,
                "date": "2023-09-14",
                "title": title,
                "attendance": 10,
                "attachment": SimpleUploadedFile(name, data),
            },
        )

    body = send("virus.exe", b"MZ\x90\x00", "Tệp chạy").content.decode()
    assert "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG/PNG." in body
    body = send("trang.html", b"<script>alert(9)</script>", "Trang web").content.decode()
    assert "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG/PNG." in body
    assert not ActivityRecord.objects.exists()
    # Accepted names that try to climb out of the folder or carry markup.
    for i, name in enumerate(["../../../etc/passwd.pdf", "<script>alert(1)</script>.pdf"]):
        assert send(name, b"%PDF-1.4 <script>alert(1)</script>", SCRIPTS[i]).status_code == 302
    for record in ActivityRecord.objects.all():
        # stored under a generated name (core/uploads.py), the person's kept for downloads
        assert re.fullmatch(r"hoat-dong/\d+/\d{4}/[0-9a-f]{32}\.pdf", record.attachment.name)
        # (the name after the last slash, as Django's upload parser keeps it)
        assert record.attachment_name in ("passwd.pdf", "script>.pdf")
        check_page(
            "attachments",
            client.get(f"/hoat-dong/{record.pk}/").content.decode(),
            shows=[record.title],
        )
        download = client.get(f"/hoat-dong/{record.pk}/tep/")
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert not download["Content-Type"].startswith("text/html")
    TALLY.cases["attachments"] += 2


# ------------------------------------------------------- script inside uploads


def test_script_in_uploaded_cells_is_text(client, tree, editor, relief):
    """Text that arrives in a file (bulk XLSX cells, bank statement memos) is stored as
    typed and shown as text, and so are the error messages that quote a bad cell."""
    from openpyxl import load_workbook

    client.force_login(editor)
    unit = tree["district_a"]
    wb = load_workbook(io.BytesIO(bulk_template(unit=unit, period=Period.parse("2023-09"))))
    for p in SCRIPTS:
        wb["Hoạt động"].append(["05/09/2023", "toa_dam", p, None, None, None, p, None])
    buf = io.BytesIO()
    wb.save(buf)
    url = f"/hoat-dong/don-vi/{unit.pk}/nhap-excel/"
    response = client.post(
        url, {"ky": "2023-09", "tep": SimpleUploadedFile("n.xlsx", buf.getvalue())}
    )
    assert response.status_code == 302
    assert sorted(ActivityRecord.objects.values_list("title", flat=True)) == sorted(SCRIPTS)
    check_page(
        "uploaded cells",
        client.get(f"/hoat-dong/don-vi/{unit.pk}/").content.decode(),
        shows=SCRIPTS,
    )
    # A bad row whose cells are script: the error list quotes them.
    wb = load_workbook(io.BytesIO(bulk_template(unit=unit, period=Period.parse("2023-09"))))
    for p in SCRIPTS:
        wb["Hoạt động"].append(["05/09/2023", p, p, None, None, p, None, p])
    buf = io.BytesIO()
    wb.save(buf)
    body = client.post(
        url, {"ky": "2023-09", "tep": SimpleUploadedFile("n.xlsx", buf.getvalue())}
    ).content.decode()
    assert "chưa ghi dữ liệu nào" in body
    check_page("uploaded cells", body, shows=[f"mã loại hoạt động “{p}”" for p in SCRIPTS])
    assert ActivityRecord.objects.count() == len(SCRIPTS)
    # Statement memos.
    fund, account = relief
    header = VCB_FILE.read_bytes().decode("utf-8-sig").splitlines()[0]
    lines = VCB_FILE.read_bytes().decode("utf-8-sig").splitlines()[1:9]
    import csv

    rows = list(csv.reader([header, *lines]))
    memo_col = rows[0].index("Transactions in Detail")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for row, p in zip(rows[1:], SCRIPTS, strict=False):
        row[memo_col] = p
        writer.writerow(row)
    response = client.post(
        f"/quy/{fund.pk}/nhap-sao-ke/",
        {
            "account": account.pk,
            "layout": "vcb",
            "file": SimpleUploadedFile("sk.csv", out.getvalue().encode("utf-8")),
        },
    )
    assert response.status_code == 302
    job = Job.objects.latest("id")
    assert job.status == "done", job.message
    memos = set(StatementLine.objects.values_list("memo", flat=True))
    assert memos == set(SCRIPTS[: len(rows) - 1])
    for url in (f"/quy/{fund.pk}/hang-cho/", f"/quy/{fund.pk}/", f"/quy/cong-viec/{job.pk}/"):
        check_page("uploaded cells", client.get(url, {"ky": "2024"}).content.decode())
    assert all(m for m in MARKERS)
