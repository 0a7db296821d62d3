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

    # The emulation demo is Thanh Xuân's: its viewer sees the pledge.
    pledge = pledges_visible(user=get_user_model().objects.get(username=VIEWER)).first()
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
        # The emulation demo is Thanh Xuân's (2023): as its viewer.
        ("emulation", viewer, "/thi-dua/"),
        ("emulation-planning", viewer, f"/thi-dua/ke-hoach/{unit('Quận Thanh Xuân').pk}/2023/"),
        ("news-manage", editor, "/tin-tuc/quan-ly/"),
        ("admin", admin, "/quan-tri/"),
    ]
    if voucher:
        pages.append(("voucher", approver, f"/quy/but-toan/{voucher.pk}/phieu/"))
    if pledge:
        pages.append(("pledge", viewer, f"/thi-dua/giao-uoc/{pledge.pk}/"))
        pages.append(("pledge-progress", viewer, f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/"))
    pages += _more_pages(ward, district)
    return pages


def _more_pages(ward, district) -> list[tuple[str, str | None, str]]:
    """The other pages people use every day, where the demo has something to show."""
    from django.db.models import Count, Q

    from mattran.activities.models import ActivityRecord
    from mattran.emulation.models import Commendation, CoordinationProgram, Criterion, Pledge
    from mattran.funds.models import EntryKind, Fund, Purpose
    from mattran.news.models import Article, ArticleStatus
    from mattran.reports.models import Indicator

    admin = ADMIN
    pages: list[tuple[str, str | None, str]] = [
        ("front", None, "/"),
        ("ledger-log", None, "/cong-khai/so-cai/"),
        ("news", None, "/tin-tuc/"),
        ("grants", admin, "/phan-quyen/"),
        ("users", admin, "/phan-quyen/nguoi-dung/"),
        ("reading", admin, "/doc-bao-cao/"),
        ("proposals", admin, "/thi-dua/khen-thuong/de-nghi/"),
        ("entered-totals", EDITOR, f"/bao-cao/{ward.pk}/2022-9M/so-lieu-nhap/"),
    ]
    article = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("-pk").first()
    if article:
        pages.append(("news-article", None, f"/tin-tuc/{article.pk}-{article.slug}/"))
    record = ActivityRecord.objects.filter(unit=ward).order_by("-date", "-pk").first()
    if record:
        pages.append(("activity-detail", EDITOR, f"/hoat-dong/{record.pk}/"))
    indicator = Indicator.objects.filter(figure_key__startswith="activities.count").first()
    if indicator:
        pages.append(
            (
                "drilldown",
                APPROVER,
                f"/bao-cao/{district.pk}/2023-9M/chi-tiet/{indicator.code}/",
            )
        )
    # The fund with the most receipts waiting for a donor's name and the one with
    # unclassified payments (as the administrator, who may act on them).
    queued = (
        Fund.objects.annotate(
            n=Count(
                "entries",
                filter=Q(
                    entries__kind=EntryKind.RECEIPT,
                    entries__party_name="",
                    entries__statement_line__isnull=False,
                ),
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    if queued:
        pages.append(("fund-queue-admin", admin, f"/quy/{queued.pk}/hang-cho/"))
        pages.append(("reconciliation", admin, f"/quy/{queued.pk}/doi-chieu-ngan-hang/"))
    unclassified = (
        Fund.objects.filter(
            entries__kind=EntryKind.DISBURSEMENT, entries__purpose=Purpose.UNCLASSIFIED
        )
        .order_by("pk")
        .first()
    )
    if unclassified:
        pages.append(("unclassified", admin, f"/quy/{unclassified.pk}/chua-phan-loai/"))
    program = CoordinationProgram.objects.order_by("pk").first()
    if program:
        pages.append(("program", admin, f"/thi-dua/chuong-trinh/{program.pk}/"))
    pledge = Pledge.objects.order_by("pk").first()
    if pledge:
        base = f"/thi-dua/giao-uoc/{pledge.pk}"
        pages += [
            ("ranking", admin, f"{base}/xep-hang/"),
            ("ratings", admin, f"{base}/xep-loai/"),
            ("entries", admin, f"{base}/so-lieu/"),
        ]
        criterion = Criterion.objects.filter(pledge=pledge).order_by("pk").first()
        if criterion:
            pages.append(("targets", admin, f"/thi-dua/tieu-chi/{criterion.pk}/chi-tieu/"))
    commended = Commendation.objects.filter(recipient_unit__isnull=False).order_by("pk").first()
    if commended:
        pages.append(
            ("commendations", admin, f"/thi-dua/khen-thuong/don-vi/{commended.recipient_unit_id}/")
        )
    return pages
