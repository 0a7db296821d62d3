"""Demo data built from the seed documents. Every step is idempotent.

Later features add their own step to `STEPS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib.resources import files

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from mattran.access.models import Grant, Role
from mattran.core.audit import audit_record
from mattran.emulation import demo as emulation_demo
from mattran.ledgerlog.demo import step_ledger_log
from mattran.reports.demo import step_dong_da_records
from mattran.units.importers import import_lineage_csv, import_units_csv
from mattran.units.models import Lineage, MemberOrganisation, Person, Position, Unit
from mattran.units.services import structure_version_ensure, term_ensure

from . import news as news_demo
from .funds import step_funds

# Printed to the operator; demo only (settings.MATTRAN_DEMO_PASSWORD, so the demo
# steps inside the apps read it without importing this app).
DEMO_PASSWORD = settings.MATTRAN_DEMO_PASSWORD

VERSION_2023 = "2023"
VERSION_2025_01 = "2025-01"
VERSION_2025 = "2025-07"

# The people named in seeds 000 and 003, in the positions the seeds give them.
SEED_PEOPLE = [
    # (district/ward code path, person, role, title)
    ("Quận Thanh Xuân", None, "Khổng Minh Thảo", "chair", "UVTV Quận ủy"),
    ("Quận Thanh Xuân", "Phường Phương Liệt", "Phan Thị Thanh Hương", "chair", ""),
    ("Quận Đống Đa", None, "Nguyễn Thị Minh Hiền", "chair", "UVTV Quận ủy"),
]

# The member organisations of a district Front committee in Hà Nội (16 in
# Thanh Xuân, seed 000). Heads are named only where the seed names them.
THANH_XUAN_MEMBER_ORGS = [
    ("Hội Cựu chiến binh quận", "CCB", None, ""),
    ("Hội Liên hiệp Phụ nữ quận", "HLHPN", None, ""),
    (
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh quận",
        "Quận đoàn",
        "Hồ Anh Tuấn",
        "Quận ủy viên, Bí thư Quận đoàn",
    ),
    ("Liên đoàn Lao động quận", "LĐLĐ", None, ""),
    ("Hội Liên hiệp Thanh niên Việt Nam quận", "Hội LHTN", None, ""),
    ("Hội Chữ thập đỏ quận", "CTĐ", None, ""),
    ("Hội Người cao tuổi quận", "NCT", None, ""),
    ("Hội Khuyến học quận", "Khuyến học", None, ""),
    ("Hội Cựu giáo chức quận", "Cựu giáo chức", None, ""),
    ("Hội Luật gia quận", "Luật gia", None, ""),
    ("Hội Nạn nhân chất độc da cam/dioxin quận", "Da cam", None, ""),
    ("Hội Cựu thanh niên xung phong quận", "Cựu TNXP", None, ""),
    ("Hội Người mù quận", "Người mù", None, ""),
    ("Hội Bảo trợ người khuyết tật và trẻ mồ côi quận", "Bảo trợ NKT&TMC", None, ""),
    ("Hội Đông y quận", "Đông y", None, ""),
    ("Hiệp hội Doanh nghiệp quận", "Hiệp hội DN", None, ""),
]

DEMO_USERS = [
    # username, full name, (district, ward) or None for the city, role, description
    ("quantri", "Quản trị hệ thống", None, Role.ADMIN, "quản trị toàn hệ thống"),
    (
        "pheduyet.dongda",
        "Cán bộ phê duyệt Đống Đa",
        ("Quận Đống Đa", None),
        Role.APPROVER,
        "phê duyệt báo cáo Quận Đống Đa",
    ),
    (
        "capnhat.langthuong",
        "Cán bộ MTTQ phường Láng Thượng",
        ("Quận Đống Đa", "Phường Láng Thượng"),
        Role.EDITOR,
        "cập nhật Phường Láng Thượng",
    ),
    (
        "xem.thanhxuan",
        "Cán bộ xem Thanh Xuân",
        ("Quận Thanh Xuân", None),
        Role.VIEWER,
        "xem Quận Thanh Xuân",
    ),
]


def data_file(name: str):
    return files("mattran.units") / "data" / name


def find_unit(version_code: str, district: str, ward: str | None = None) -> Unit:
    unit = Unit.objects.get(version__code=version_code, name=district, level=2)
    if ward:
        unit = Unit.objects.get(parent=unit, name=ward)
    return unit


def step_units(out) -> None:
    v2023 = structure_version_ensure(
        actor=None,
        code=VERSION_2023,
        name="Địa giới hành chính năm 2023",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2024, 12, 31),
        legal_basis="Danh mục đơn vị hành chính Việt Nam (Tổng cục Thống kê), bản năm 2023",
    )
    v2025_01 = structure_version_ensure(
        actor=None,
        code=VERSION_2025_01,
        name="Địa giới hành chính từ 01/01/2025",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        legal_basis="Nghị quyết 1286/NQ-UBTVQH15 (sắp xếp đơn vị hành chính cấp xã của Hà Nội)",
    )
    v2025 = structure_version_ensure(
        actor=None,
        code=VERSION_2025,
        name="Địa giới hành chính từ 01/7/2025",
        valid_from=dt.date(2025, 7, 1),
        legal_basis="Nghị quyết 1656/NQ-UBTVQH15; mã theo Quyết định 19/2025/QĐ-TTg",
    )
    for version, filename in (
        (v2023, "hanoi_2023.csv"),
        (v2025_01, "hanoi_2025_01.csv"),
        (v2025, "hanoi_2025_07.csv"),
    ):
        if version.units.exists():
            continue
        with data_file(filename).open("rb") as fh:
            result = import_units_csv(actor=None, source=fh, version=version, source_name=filename)
        out.write(f"  {version.name}: {result.created} đơn vị")
    # Direct lineage between every pair of versions: a report asked under one
    # version carries the records of the others (reports.rollup).
    for old, new, filename in (
        (v2023, v2025, "hanoi_lineage_2023_2025_07.csv"),
        (v2023, v2025_01, "hanoi_lineage_2023_2025_01.csv"),
        (v2025_01, v2025, "hanoi_lineage_2025_01_2025_07.csv"),
    ):
        if Lineage.objects.filter(from_unit__version=old, to_unit__version=new).exists():
            continue
        with data_file(filename).open("rb") as fh:
            n = import_lineage_csv(actor=None, source=fh, from_version=old, to_version=new)
        out.write(f"  Kế thừa {old.code} → {new.code}: {n} quan hệ")


@transaction.atomic
def step_committees(out) -> None:
    term_2019 = term_ensure(actor=None, start_year=2019, end_year=2024)
    term_ensure(actor=None, start_year=2024, end_year=2029)
    for district, ward, name, role, title in SEED_PEOPLE:
        unit = find_unit(VERSION_2023, district, ward)
        if Position.objects.filter(unit=unit, term=term_2019, person__full_name=name).exists():
            continue
        person = Person.objects.create(full_name=name)
        position = Position.objects.create(
            unit=unit, term=term_2019, person=person, role=role, title=title
        )
        audit_record(actor=None, action="position.create", obj=position, unit=unit, note="demo")
    thanh_xuan = find_unit(VERSION_2023, "Quận Thanh Xuân")
    for order, (name, short, head, head_title) in enumerate(THANH_XUAN_MEMBER_ORGS, start=1):
        if MemberOrganisation.objects.filter(unit=thanh_xuan, name=name).exists():
            continue
        person = Person.objects.create(full_name=head) if head else None
        org = MemberOrganisation.objects.create(
            unit=thanh_xuan,
            name=name,
            short_name=short,
            head=person,
            head_title=head_title,
            order=order,
        )
        audit_record(
            actor=None, action="member_organisation.create", obj=org, unit=thanh_xuan, note="demo"
        )
    out.write(
        f"  Ủy ban MTTQ: {Position.objects.count()} chức vụ, "
        f"{MemberOrganisation.objects.count()} tổ chức thành viên"
    )


@transaction.atomic
def step_users(out) -> None:
    User = get_user_model()
    roots = Unit.objects.filter(parent__isnull=True, name="Thành phố Hà Nội")
    for username, full_name, where, role, _ in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=full_name,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        units = list(roots) if where is None else [find_unit(VERSION_2023, *where)]
        for unit in units:
            grant, created = Grant.objects.get_or_create(user=user, unit=unit, role=role)
            if created:
                audit_record(actor=None, action="grant.create", obj=grant, unit=unit, note="demo")


STEPS: list[tuple[str, Callable]] = [
    ("Đơn vị hành chính Hà Nội", step_units),
    ("Ủy ban MTTQ và tổ chức thành viên", step_committees),
    ("Tài khoản demo", step_users),
    ("Quỹ, sổ quỹ và sao kê", step_funds),
    ("Hoạt động, hòa giải và báo cáo của Quận Đống Đa (2022–2023)", step_dong_da_records),
    ("Kế hoạch năm 2023 của Quận Thanh Xuân", emulation_demo.step_planning),
    ("Giao ước thi đua 2023 của 11 phường Thanh Xuân", emulation_demo.step_emulation),
    ("Khen thưởng Thanh Xuân (2022, 2023)", emulation_demo.step_commendations),
    ("Hội nghị 13/01/2023 của Quận Thanh Xuân", emulation_demo.step_conference),
    ("Tin bài về hội nghị 13/01/2023", news_demo.step_conference_article),
    ("Tin sơ kết 9 tháng của Quận Đống Đa, soạn từ báo cáo", news_demo.step_report_article),
    # last: the signed head covers every ledger line the steps above wrote
    ("Sổ cái công khai: khóa ký, đầu cây đã ký", step_ledger_log),
]


def load_demo(out) -> None:
    for title, step in STEPS:
        out.write(f"• {title}")
        step(out)
    out.write("")
    out.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, _, _, _, description in DEMO_USERS:
        out.write(f"  {username:<22} {description}")
