import io

import pytest

from mattran.access.models import Role
from mattran.units.models import MemberOrganisation, Person
from tests.factories import UserFactory, grant


@pytest.fixture(autouse=True)
def reference_data(db):
    """Award types and news categories come from data migrations, which a transactional
    test elsewhere in the run may have flushed; reinstall them (idempotent)."""
    from mattran.emulation.reference import install as install_award_types
    from mattran.news.reference import install as install_categories

    install_award_types()
    install_categories()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Seven users per test: a fast hasher keeps the suite quick (tests only).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def people(tree):
    """Users with roles around Quận A of the `tree` fixture."""
    a = tree["district_a"]
    users = {
        "district_editor": UserFactory(username="bien.tap.a"),
        "district_approver": UserFactory(username="phe.duyet.a"),
        "district_admin": UserFactory(username="quan.tri.a"),
        "ward_editor": UserFactory(username="cap.nhat.a1"),
        "ward2_editor": UserFactory(username="cap.nhat.a2"),
        "other_approver": UserFactory(username="phe.duyet.b"),
        "viewer": UserFactory(username="xem.a"),
    }
    grant(users["district_editor"], a, Role.EDITOR)
    grant(users["district_approver"], a, Role.APPROVER)
    grant(users["district_admin"], a, Role.ADMIN)
    grant(users["ward_editor"], tree["ward_a1"], Role.EDITOR)
    grant(users["ward2_editor"], tree["ward_a2"], Role.EDITOR)
    grant(users["other_approver"], tree["district_b"], Role.APPROVER)
    grant(users["viewer"], a, Role.VIEWER)
    return users


@pytest.fixture
def orgs(tree):
    a = tree["district_a"]
    head = Person.objects.create(full_name="Nguyễn Văn Đoàn")
    return [
        MemberOrganisation.objects.create(unit=a, name="Hội Cựu chiến binh quận", order=1),
        MemberOrganisation.objects.create(
            unit=a, name="Quận đoàn", order=2, head=head, head_title="Bí thư Quận đoàn"
        ),
    ]


def pdf_file(name="van-ban.pdf", size=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body = body + b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_file(name="anh.png", size=(40, 30)):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def docx_file(name="van-ban.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    buf = io.BytesIO()
    doc = Document()
    doc.add_paragraph("Chương trình phối hợp")
    doc.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


@pytest.fixture
def pledge(tree, people):
    """An active 2023 pledge of Quận A's two wards: a quota, a requirement, a rating."""
    import datetime as dt
    from decimal import Decimal

    from mattran.emulation import services
    from mattran.emulation.models import CriterionKind

    editor = people["district_editor"]
    p = services.pledge_create(
        actor=editor, unit=tree["district_a"], year=2023, title="Giao ước thi đua năm 2023"
    )
    quota = services.criterion_create(
        actor=editor,
        pledge=p,
        data=services.CriterionInput(
            code="CT1",
            short_name="Mô hình điển hình",
            text="Xây dựng mới mô hình điển hình tiêu biểu",
            kind=CriterionKind.QUOTA,
            measure_key="nhap.mo_hinh_dien_hinh",
            points=Decimal(40),
            bonus_points=Decimal(5),
            partial_credit=True,
        ),
    )
    services.criterion_create(
        actor=editor,
        pledge=p,
        data=services.CriterionInput(
            code="CT2",
            short_name="Kế hoạch giám sát",
            text="Xây dựng kế hoạch giám sát, phản biện xã hội",
            kind=CriterionKind.REQUIREMENT,
            points=Decimal(30),
        ),
    )
    services.criterion_create(
        actor=editor,
        pledge=p,
        data=services.CriterionInput(
            code="CT3",
            short_name="Xếp loại",
            text="Hoàn thành tốt và hoàn thành xuất sắc nhiệm vụ",
            kind=CriterionKind.RATING,
            points=Decimal(30),
            points_good=Decimal(24),
            points_done=Decimal(12),
        ),
    )
    services.criterion_targets_set(
        actor=editor,
        criterion=quota,
        targets={tree["ward_a1"].pk: (3, None), tree["ward_a2"].pk: (2, None)},
    )
    services.pledge_activate(actor=editor, pledge=p, signed_on=dt.date(2023, 1, 13))
    p.refresh_from_db()
    return p
