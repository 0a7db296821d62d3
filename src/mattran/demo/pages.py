"""The main pages of the demo, per role: what the screenshots script captures and the
phone-layout browser test measures (scripts/screenshots.py, tests/browser/test_phone.py)."""

from __future__ import annotations

EDITOR, APPROVER, VIEWER, ADMIN = (
    "capnhat.langthuong",
    "pheduyet.dongda",
    "xem.thanhxuan",
    "quantri",
)


def main_pages() -> list[tuple[str, str | None, str]]:
    """(name, demo username or None for a visitor, path) of every main page."""
    from mattran.funds.models import Fund, LedgerEntry
    from mattran.units.models import Unit

    def unit(name: str) -> Unit:
        return Unit.objects.filter(name=name).order_by("version__valid_from").first()

    ward, district = unit("Phường Láng Thượng"), unit("Quận Đống Đa")
    fund = Fund.objects.filter(unit__path__startswith=district.path).order_by("pk").first()
    public = Fund.objects.filter(entries__isnull=False).order_by("pk").first()
    in_district = LedgerEntry.objects.filter(
        fund__unit__path__startswith=district.path, voucher_number__isnull=False
    ).order_by("-voucher_series", "pk")  # a payment voucher (PC) when there is one
    voucher = in_district.first()
    from django.contrib.auth import get_user_model

    from mattran.emulation.selectors import pledges_visible

    pledge = pledges_visible(user=get_user_model().objects.get(username=APPROVER)).first()
    editor, approver, viewer, admin = EDITOR, APPROVER, VIEWER, ADMIN
    pages = [
        ("public-lookup", None, "/cong-khai/"),
        ("public-disclosure", None, f"/cong-khai/quy/{public.pk}/"),
        ("login", None, "/dang-nhap/"),
        ("not-found", None, "/khong-co-trang-nay/"),
        ("home-editor", editor, "/bao-cao/viec-can-lam/"),
        ("home-approver", approver, "/bao-cao/viec-can-lam/"),
        ("home-viewer", viewer, "/bao-cao/viec-can-lam/"),
        ("unit-tree", viewer, "/don-vi/"),
        ("unit-detail", approver, f"/don-vi/{district.pk}/"),
        ("change-log", approver, f"/don-vi/{district.pk}/nhat-ky/"),
        ("activities", editor, f"/hoat-dong/don-vi/{ward.pk}/"),
        ("activity-form", editor, f"/hoat-dong/don-vi/{ward.pk}/them/"),
        ("mediation", editor, f"/hoat-dong/don-vi/{ward.pk}/hoa-giai/"),
        ("aggregate-form", editor, f"/hoat-dong/don-vi/{ward.pk}/so-lieu/"),
        ("bulk-import", editor, f"/hoat-dong/don-vi/{ward.pk}/nhap-excel/"),
        ("report-ward", editor, f"/bao-cao/{ward.pk}/2023-9M/"),
        ("report-district", approver, f"/bao-cao/{district.pk}/2023-9M/"),
        ("completeness", approver, f"/bao-cao/{district.pk}/2023-9M/tinh-hinh-nop/"),
        ("reports-index", approver, "/bao-cao/"),
        ("funds", approver, "/quy/"),
        ("fund-ledger", approver, f"/quy/{fund.pk}/"),
        ("fund-queue", approver, f"/quy/{fund.pk}/hang-cho/"),
        ("transfers", approver, "/quy/dieu-chuyen/"),
        ("emulation", approver, "/thi-dua/"),
        ("emulation-planning", approver, f"/thi-dua/ke-hoach/{district.pk}/2024/"),
        ("news-manage", editor, "/tin-tuc/quan-ly/"),
        ("admin", admin, "/quan-tri/"),
    ]
    if voucher:
        pages.append(("voucher", approver, f"/quy/but-toan/{voucher.pk}/phieu/"))
    if pledge:
        pages.append(("pledge", approver, f"/thi-dua/giao-uoc/{pledge.pk}/"))
        pages.append(("pledge-progress", approver, f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/"))
    return pages
