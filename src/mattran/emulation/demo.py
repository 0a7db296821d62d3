"""Demo data for Quận Thanh Xuân's 2023 emulation year, from seed 000.

Seed 000 is the news item of the conference of 13/01/2023 at which the
district committee signed coordination programs with its 16 member
organisations and an emulation pledge among its 11 wards, named 9 key tasks
and 6 key targets, and handed out the 2022 certificates of merit. What the
seed states is quoted verbatim (its typos "truyên thống" and "dân kểm tra"
included). What it does not state is marked as such where it is stored.

Each step is idempotent: it looks for what it would create and stops there.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from mattran.units.models import Unit

from . import services
from .models import CoordinationProgram, KeyTask, ProgramStatus
from .scoring import format_points
from .wording import committee_name, unit_phrase

YEAR = 2023
CONFERENCE_DAY = dt.date(2023, 1, 13)
SOURCE = "Tin “Hội nghị phát động thi đua, ký kết chương trình phối hợp công tác…” ngày 13/01/2023"

# The 9 key tasks, in the seed's order. The seed lists 11 clauses separated by
# semicolons for "09 nhiệm vụ trọng tâm": the clause after the first starts in
# lower case ("thi đua chào mừng…"), so it continues task 1; and "tổ chức tốt"
# governs both "Hội nghị đại biểu nhân dân" and "Ngày hội đại đoàn kết", so they
# are one task. (The seed says "trong năm 2022"; the conference launches 2023.)
KEY_TASKS_2023 = [
    "Chú trọng đổi mới, nâng cao chất lượng hoạt động, tăng cường phối hợp các hoạt động với "
    "chính quyền giữa các tổ chức thành viên của MTTQ từ quận tới cơ sở; thi đua chào mừng kỷ "
    "niệm 93 năm ngày thành lập Đảng Cộng sản Việt Nam, kỷ niệm 93 năm ngày truyên thống MTTQ "
    "Việt Nam",
    "Tổ chức tốt các phong trào thi đua yêu nước, thực hiện cuộc vận động “Toàn dân đoàn kết xây "
    "dựng nông thôn mới, đô thị văn minh” đưa cuộc vận động đi vào chiều sâu với phương châm "
    '"dân biết, dân bàn, dân làm, dân kểm tra, dân thụ hưởng"',
    'Nâng cao chất lượng và hiệu quả tổ chức tốt "Hội nghị đại biểu nhân dân" bàn việc xây dựng '
    "đời sống văn hóa cơ sở; “Ngày hội đại đoàn kết toàn dân tộc” ở khu dân cư",
    "Tiếp tục thực hiện Kết luận số 01-KL/TW và Chỉ thị 05-CT/TW của Bộ Chính trị về đẩy mạnh "
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Tích cực tham gia xây dựng Đảng, xây dựng chính quyền",
    "Tuyên truyền, xây dựng các chương trình, kế hoạch triển khai và thực hiện có hiệu quả Nghị "
    "quyết Đại hội Đảng các cấp nhiệm kỳ 2020 – 2025",
    "Tiếp tục triển khai và thực hiện có hiệu quả Nghị quyết Đại hội Mặt trận Tổ quốc Việt Nam "
    "các cấp nhiệm kỳ 2019 – 2024, phối hợp công tác chuẩn bị tổ chức Đại hội UB MTTQ các cấp "
    "nhiệm kỳ 2024-2029",
    "Thực hiện tốt công tác tôn giáo, góp phần củng cố khối Đại đoàn kết toàn dân tộc",
    "Phối hợp thông tin, tuyên truyền về hình ảnh Thủ đô, Đất nước, con người Việt Nam với bạn "
    "bè quốc tế, về chính sách đối ngoại của Đảng và Nhà nước đối với người Việt Nam ở nước ngoài",
]

# Measures linked to key tasks (progress from data we hold).
KEY_TASK_MEASURES = {
    1: [("emulation.programs_signed", 16)],
    2: [("emulation.entries(item=mo_hinh_dien_hinh)", None)],
    3: [
        ("activities.count(types=hoi_nghi_dbnd)", None),
        ("activities.count(types=ngay_hoi_ddk)", None),
    ],
    5: [
        ("activities.count(types=phan_bien)", None),
        ("activities.count(types=doan_giam_sat)", None),
    ],
}


def thanh_xuan() -> Unit:
    return Unit.objects.get(version__code="2023", name="Quận Thanh Xuân", level=2)


@transaction.atomic
def step_planning(out) -> None:
    """The 9 key tasks of 2023 and the 16 coordination programs signed on 13/01/2023."""
    district = thanh_xuan()
    if not KeyTask.objects.filter(unit=district, year=YEAR).exists():
        for order, text in enumerate(KEY_TASKS_2023, start=1):
            services.key_task_create(
                actor=None,
                unit=district,
                year=YEAR,
                text=text,
                note="Theo tin Hội nghị ngày 13/01/2023; tin không nêu người phụ trách.",
                measures=KEY_TASK_MEASURES.get(order, ()),
            )
    services.programs_create_for_all(
        actor=None,
        unit=district,
        year=YEAR,
        note=(
            f"Ký kết tại Hội nghị ngày 13/01/2023 ({SOURCE}). Tin không nêu nội dung riêng của "
            "từng chương trình: nội dung phối hợp ghi theo 09 nhiệm vụ trọng tâm năm 2023 mà "
            "Hội nghị phát động với các tổ chức thành viên."
        ),
    )
    for program in CoordinationProgram.objects.filter(
        unit=district, year=YEAR, status=ProgramStatus.DRAFT
    ):
        services.program_sign(actor=None, program=program, signed_on=CONFERENCE_DAY)
    out.write(
        f"  {district.name}: {KeyTask.objects.filter(unit=district, year=YEAR).count()} nhiệm vụ "
        f"trọng tâm, {CoordinationProgram.objects.filter(unit=district, year=YEAR).count()} "
        "chương trình phối hợp năm 2023"
    )


# ============================================================================ accounts

DEMO_ACCOUNTS = [
    # username, full name, ward (None: the district), role
    ("bientap.thanhxuan", "Cán bộ Văn phòng MTTQ quận Thanh Xuân", None, "editor"),
    ("pheduyet.thanhxuan", "Ban Thường trực MTTQ quận Thanh Xuân", None, "approver"),
]


def ward_account(ward: Unit) -> str:
    """ "capnhat.phuongliet" for Phường Phương Liệt."""
    from mattran.core.vietnamese import fold

    return "capnhat." + fold(ward.name.removeprefix("Phường ")).replace(" ", "")


def _accounts(district: Unit, wards: list[Unit]) -> dict[str, object]:
    """District editor and approver, one editor per ward; one password hash for all (fast)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from mattran.access.models import Grant
    from mattran.core.audit import audit_record

    User = get_user_model()
    wanted = [(u, n, district, r) for u, n, _, r in DEMO_ACCOUNTS] + [
        (ward_account(w), f"Cán bộ MTTQ {unit_phrase(w)}", w, "editor") for w in wards
    ]
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    password = None
    users = {}
    for username, full_name, unit, role in wanted:
        user = existing.get(username)
        if user is None:
            password = password or make_password(settings.MATTRAN_DEMO_PASSWORD)
            user = User.objects.create(username=username, first_name=full_name, password=password)
        grant, created = Grant.objects.get_or_create(user=user, unit=unit, role=role)
        if created:
            audit_record(actor=None, action="grant.create", obj=grant, unit=unit, note="demo")
        users[username] = user
    return users


# ============================================================================ the pledge

PLEDGE_TITLE = "Giao ước thi đua năm 2023 giữa Ủy ban MTTQ Việt Nam 11 phường quận Thanh Xuân"

# The 6 key targets, quoted from the seed. Points, kinds and measures are ours:
# the seed gives no scoring scale.
TARGETS_2023 = [
    dict(
        code="CT1",
        short_name="Quỹ “Vì người nghèo”",
        text="Hoàn thành và vượt chỉ tiêu vận động quỹ “Vì người nghèo” năm 2023",
        kind="quota",
        measure_key="funds.mobilised(fund=poor)",
        points=20,
        bonus_points=3,
        partial_credit=True,
    ),
    dict(
        code="CT2",
        short_name="Quỹ “Vì biển, đảo Việt Nam”",
        text="Hoàn thành và vượt chỉ tiêu vận động quỹ “Vì biển, đảo Việt Nam” năm 2023",
        kind="quota",
        measure_key="funds.mobilised(fund=sea_islands)",
        points=15,
        bonus_points=2,
        partial_credit=True,
    ),
    dict(
        code="CT3",
        short_name="Xây, sửa nhà cho hộ cận nghèo",
        text=(
            "Phối hợp xây dựng và sửa chữa nhà cho từ 2 đến 4 hộ cận nghèo, hộ có hoàn cảnh khó "
            "khăn theo kế hoạch của Ủy ban MTTQ quận"
        ),
        kind="range",
        measure_key="funds.spent(measure=quantity,purpose=house_build|house_repair)",
        target=2,
        target_max=4,
        points=20,
        partial_credit=True,
    ),
    dict(
        code="CT4",
        short_name="Kế hoạch giám sát, phản biện",
        text=(
            "100% MTTQ Việt Nam các phường xây dựng kế hoạch, tổ chức thực hiện giám sát, phản "
            "biện xã hội và góp ý xây dựng Đảng, xây dựng chính quyền"
        ),
        kind="requirement",
        points=15,
    ),
    dict(
        code="CT5",
        short_name="Hoàn thành tốt, xuất sắc nhiệm vụ",
        text=(
            "100% MTTQ Việt Nam các phường, các Ban công tác Mặt trận hoàn thành tốt và hoàn "
            "thành xuất sắc nhiệm vụ"
        ),
        kind="rating",
        points=15,
        points_good=13,
        points_done=8,
    ),
    dict(
        code="CT6",
        short_name="Mô hình điển hình, tổ tự quản",
        text=(
            "Xây dựng và thực hiện Kế hoạch duy trì, nhân rộng và xây dựng mới mô hình điển hình "
            "tiêu biểu và tổ tự quản thực hiện mô hình điển hình tiêu biểu theo 5 nội dung của "
            "Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”"
        ),
        kind="requirement",
        points=15,
    ),
]

# Illustrative ward figures for 2023 (the seed gives none): fund quotas (triệu đồng) and
# the share achieved, houses planned by the district and repaired, whether the ward
# has its supervision plan (CT4) and its model-examples plan (CT6), the district's rating.
WARDS_2023 = [
    # ward, VNN quota, VNN %, BĐ quota, BĐ %, houses planned, done, CT4, CT6, rating
    ("Phường Nhân Chính", 250, "107.4", 80, "107.8", 4, 4, True, True, "excellent"),
    ("Phường Thượng Đình", 180, "102.8", 60, "101.2", 3, 3, True, True, "good"),
    ("Phường Khương Trung", 160, "101.5", 55, "96.0", 2, 2, True, True, "good"),
    ("Phường Khương Mai", 150, "98.0", 50, "102.0", 3, 3, True, False, "good"),
    ("Phường Thanh Xuân Trung", 220, "104.2", 75, "100.6", 4, 3, True, True, "excellent"),
    ("Phường Phương Liệt", 200, "112.0", 70, "100.0", 3, 3, True, True, "excellent"),
    ("Phường Hạ Đình", 140, "100.0", 45, "100.0", 2, 2, True, True, "good"),
    ("Phường Khương Đình", 170, "95.0", 55, "90.0", 3, 2, True, True, "done"),
    ("Phường Thanh Xuân Bắc", 200, "103.0", 65, "99.0", 3, 4, True, True, "excellent"),
    ("Phường Thanh Xuân Nam", 160, "100.5", 50, "101.0", 2, 2, False, True, "good"),
    ("Phường Kim Giang", 130, "101.0", 40, "97.5", 2, 1, True, True, "good"),
]

# What a ward claimed beyond its data, and the district's correction (with the reason).
OVERCLAIMS = {
    ("Phường Khương Đình", "CT3"): (
        "20",
        "Đã hoàn thành sửa chữa 3 nhà theo kế hoạch.",
        "Sổ quỹ năm 2023 ghi 2/3 nhà được hỗ trợ sửa chữa; nhà thứ ba chi trong tháng 01/2024.",
    ),
    ("Phường Thượng Đình", "CT5"): (
        "15",
        "Phường tự đánh giá hoàn thành xuất sắc nhiệm vụ.",
        "Ban Thường trực xếp loại phường Hoàn thành tốt nhiệm vụ năm 2023.",
    ),
}

VNN_SCHEDULE = [  # (month, day, share of the year's receipts, donor)
    (1, 10, "0.15", "Cán bộ, công chức, người lao động UBND phường"),
    (3, 15, "0.10", "Hội Cựu chiến binh phường"),
    (6, 20, "0.10", "Các doanh nghiệp trên địa bàn phường"),
    (9, 12, "0.05", "Hội Liên hiệp Phụ nữ phường"),
    (10, 25, "0.30", "Nhân dân các tổ dân phố (tháng cao điểm “Vì người nghèo”)"),
    (11, 15, "0.30", "Nhân dân các tổ dân phố (tháng cao điểm “Vì người nghèo”)"),
]
SEA_SCHEDULE = [
    (4, 20, "0.30", "Cán bộ, công chức, người lao động UBND phường"),
    (5, 25, "0.40", "Nhân dân các tổ dân phố"),
    (6, 8, "0.30", "Đoàn Thanh niên, Hội Liên hiệp Thanh niên phường"),
]
HOUSE_DAYS = [(7, 20), (11, 20), (11, 28), (12, 15)]  # after the receipts that pay for them
HOUSE_REPAIR = 40_000_000


def _spread(total: int, schedule) -> list[tuple[dt.date, int, str]]:
    """Split `total` đồng over the schedule; the last receipt takes the rounding."""
    from decimal import Decimal

    out, booked = [], 0
    for i, (month, day, share, donor) in enumerate(schedule):
        if i == len(schedule) - 1:
            amount = total - booked
        else:
            amount = int(Decimal(total) * Decimal(share) / 1000) * 1000
        booked += amount
        out.append((dt.date(YEAR, month, day), amount, donor))
    return out


def _ward_ledger(ward: Unit, row, actor) -> None:
    """Two ward funds with the year's receipts and the house repairs (via the funds services)."""
    from decimal import Decimal

    from mattran.funds import services as funds
    from mattran.funds.models import AccountKind, FundKind, PartyKind, Purpose

    _, vnn_quota, vnn_pct, bd_quota, bd_pct, _, houses, *_ = row
    phrase = unit_phrase(ward)
    vnn_total = int(Decimal(vnn_quota * 1_000_000) * Decimal(vnn_pct) / 100 / 1000) * 1000
    bd_total = int(Decimal(bd_quota * 1_000_000) * Decimal(bd_pct) / 100 / 1000) * 1000
    made = {}
    for kind, name, total, schedule in (
        (FundKind.POOR, f"Quỹ “Vì người nghèo” {phrase}", vnn_total, VNN_SCHEDULE),
        (FundKind.SEA_ISLANDS, f"Quỹ “Vì biển, đảo Việt Nam” {phrase}", bd_total, SEA_SCHEDULE),
    ):
        fund = funds.fund_create(
            actor=actor, unit=ward, name=name, kind=kind, opened_on=dt.date(YEAR, 1, 1)
        )
        cash = funds.fund_account_create(actor=actor, fund=fund, kind=AccountKind.CASH)
        for day, amount, donor in _spread(total, schedule):
            funds.receipt_create(
                actor=actor,
                fund=fund,
                amount=amount,
                booked_on=day,
                party_name=f"{donor} {ward.name.removeprefix('Phường ')}",
                party_kind=PartyKind.ORGANISATION,
                channel="cash",
                memo=f"Ủng hộ {name}",
                account=cash,
            )
        made[kind] = (fund, cash)
    fund, cash = made[FundKind.POOR]
    for i, (month, day) in enumerate(HOUSE_DAYS[:houses], start=1):
        funds.disbursement_create(
            actor=actor,
            fund=fund,
            amount=HOUSE_REPAIR,
            booked_on=dt.date(YEAR, month, day),
            purpose=Purpose.HOUSE_REPAIR,
            quantity=1,
            payee_name=f"Hộ cận nghèo số {i} theo kế hoạch của Ủy ban MTTQ quận",
            payee_kind=PartyKind.PERSON,
            beneficiaries=f"01 hộ cận nghèo, {ward.name}",
            memo="Hỗ trợ sửa chữa nhà cho hộ cận nghèo",
            account=cash,
        )


@transaction.atomic
def step_emulation(out) -> None:
    """The 2023 pledge of the 11 wards: targets, ward data, self-scores, verification, ranking."""
    from decimal import Decimal

    from .models import Pledge, Rating
    from .reference import install
    from .selectors import compute_progress, criteria_of, pledge_members, progress_period

    install()
    district = thanh_xuan()
    wards = {w.name: w for w in Unit.objects.filter(parent=district)}
    users = _accounts(district, list(wards.values()))
    if Pledge.objects.filter(unit=district, year=YEAR).exists():
        return
    editor, approver = users["bientap.thanhxuan"], users["pheduyet.thanhxuan"]
    pledge = services.pledge_create(
        actor=editor,
        unit=district,
        year=YEAR,
        title=PLEDGE_TITLE,
        members=[wards[row[0]] for row in WARDS_2023],
        note=(
            f"Ký kết tại Hội nghị ngày 13/01/2023 ({SOURCE}). Nội dung 06 chỉ tiêu trọng tâm "
            "trích nguyên văn tin; thang điểm, chỉ tiêu từng phường và số liệu thực hiện trong "
            "dữ liệu demo là số liệu minh họa (tin không nêu)."
        ),
    )
    criteria = {}
    for t in TARGETS_2023:
        data = {k: v for k, v in t.items()}
        for key in ("points", "bonus_points", "points_good", "points_done"):
            if key in data:
                data[key] = Decimal(data[key])
        criteria[t["code"]] = services.criterion_create(
            actor=editor, pledge=pledge, data=services.CriterionInput(**data)
        )
    for code, quota_index in (("CT1", 1), ("CT2", 3)):
        services.criterion_targets_set(
            actor=editor,
            criterion=criteria[code],
            targets={wards[r[0]].pk: (r[quota_index] * 1_000_000, None) for r in WARDS_2023},
        )
    services.criterion_targets_set(
        actor=editor,
        criterion=criteria["CT3"],
        targets={wards[r[0]].pk: (r[5], 4) for r in WARDS_2023},
    )
    services.pledge_activate(actor=editor, pledge=pledge, signed_on=CONFERENCE_DAY)

    # The year: money in and houses repaired (ledger), plans (evidence), figures, ratings.
    for row in WARDS_2023:
        ward = wards[row[0]]
        ward_user = users[ward_account(ward)]
        _ward_ledger(ward, row, ward_user)
        has_supervision_plan, has_models_plan = row[7], row[8]
        if has_supervision_plan:
            services.evidence_add(
                actor=ward_user,
                criterion=criteria["CT4"],
                unit=ward,
                note=(
                    f"Kế hoạch giám sát, phản biện xã hội và góp ý xây dựng Đảng, xây dựng chính "
                    f"quyền năm 2023 của {committee_name(ward)} (bản lưu tại "
                    "văn phòng; dữ liệu minh họa)."
                ),
            )
        if has_models_plan:
            services.evidence_add(
                actor=ward_user,
                criterion=criteria["CT6"],
                unit=ward,
                note=(
                    "Kế hoạch duy trì, nhân rộng và xây dựng mới mô hình điển hình tiêu biểu, tổ "
                    "tự quản năm 2023 (dữ liệu minh họa)."
                ),
            )
            services.measure_entry_create(
                actor=ward_user,
                measure_key="emulation.entries(item=mo_hinh_dien_hinh)",
                unit=ward,
                on=dt.date(YEAR, 11, 30),
                value=1 + row[5] % 3,
                note="Mô hình mới theo 5 nội dung của Cuộc vận động (dữ liệu minh họa)",
            )
        services.unit_rating_set(
            actor=approver, unit=ward, year=YEAR, rating=Rating(row[9]), note="Dữ liệu minh họa"
        )

    # Self-scoring from the data (two wards claim more), submission, verification.
    members = pledge_members(pledge=pledge)
    progress = compute_progress(
        pledge=pledge,
        units=members,
        period=progress_period(pledge),
        criteria=criteria_of(pledge=pledge),
    )
    for ward in members:
        ward_user = users[ward_account(ward)]
        sheet = services.score_sheet_ensure(actor=ward_user, pledge=pledge, unit=ward)
        entries, verifications = [], []
        for cell in progress.by_unit[ward.pk]:
            code = cell.criterion.code
            points = cell.assessment.points
            note = "Theo số liệu sổ quỹ, minh chứng và xếp loại."
            claim = OVERCLAIMS.get((ward.name, code))
            if claim:
                points, note = Decimal(claim[0]), claim[1]
            entries.append(
                services.SelfScore(
                    criterion_id=cell.criterion.pk,
                    points=points,
                    note=note,
                    value_text=_value_text(cell),
                )
            )
            verifications.append(
                services.Verification(
                    criterion_id=cell.criterion.pk,
                    points=cell.assessment.points,
                    reason=claim[2] if claim else "",
                )
            )
        services.sheet_self_score(actor=ward_user, sheet=sheet, entries=entries)
        services.sheet_submit(actor=ward_user, sheet=sheet)
        services.sheet_verify(actor=approver, sheet=sheet, entries=verifications)
    services.pledge_lock(actor=approver, pledge=pledge)
    pledge.refresh_from_db()
    top = pledge.sheets.select_related("unit").order_by("final_rank", "unit__name")[:4]
    out.write(
        f"  {PLEDGE_TITLE}: 6 chỉ tiêu, 11 phường; xếp hạng: "
        + ", ".join(
            f"{s.final_rank}. {s.unit.name} ({format_points(s.final_total)} điểm)" for s in top
        )
        + ", …"
    )
    out.write(
        "  Tài khoản: bientap.thanhxuan (biên tập quận), pheduyet.thanhxuan (phê duyệt quận), "
        "capnhat.phuongliet và capnhat.<tên phường> (cập nhật từng phường)"
    )


def _value_text(cell) -> str:
    if cell.criterion.uses_measure:
        return f"{cell.value_text} / chỉ tiêu {cell.target_text}"
    if cell.rating:
        return cell.assessment.note
    return f"{cell.evidence_count} minh chứng"


# ======================================================================= commendations

AWARDS_2022_NOTE = (
    f"{SOURCE}: “trao các bằng khen của Trung ương MTTQ Việt Nam và Ủy ban MTTQ Việt Nam "
    "thành phố Hà Nội cho các tập thể, cá nhân đã có những thành tích xuất sắc trong công tác "
    "Mặt trận năm 2022”. Tin không nêu số, ngày quyết định, số lượng và tên người nhận."
)
ILLUSTRATIVE_RECIPIENT = (
    "Người nhận minh họa: tin không nêu tên; đây là một tập thể được tin nêu tên phát biểu tại "
    "Hội nghị, chọn để minh họa, không phải dữ kiện của tin."
)


@transaction.atomic
def step_commendations(out) -> None:
    """The 2022 awards handed out on 13/01/2023, and the district's 2023 awards from the ranking."""
    from mattran.units.models import MemberOrganisation

    from .models import AwardType, CommendationDecision, Pledge, PledgeStatus
    from .reference import install

    install()
    district = thanh_xuan()
    users = _accounts(district, list(Unit.objects.filter(parent=district)))
    editor, approver = users["bientap.thanhxuan"], users["pheduyet.thanhxuan"]
    if CommendationDecision.objects.filter(unit=district).exists():
        return
    phuong_liet = Unit.objects.get(parent=district, name="Phường Phương Liệt")
    doan = MemberOrganisation.objects.get(unit=district, short_name="Quận đoàn")
    for code, issuer, recipient in (
        ("bang-khen-tw", "Ủy ban Trung ương MTTQ Việt Nam", services.Recipient(unit=phuong_liet)),
        (
            "bang-khen-tp-ha-noi",
            "Ủy ban MTTQ Việt Nam thành phố Hà Nội",
            services.Recipient(member_organisation=doan),
        ),
    ):
        award = AwardType.objects.get(code=code)
        decision = services.decision_create(
            actor=editor,
            unit=district,
            award_type=award,
            issuer=issuer,
            achievement_year=2022,
            summary=f"Tặng {award.name} cho các tập thể, cá nhân có thành tích xuất sắc trong "
            "công tác Mặt trận năm 2022",
            source_note=AWARDS_2022_NOTE,
        )
        services.commendation_add(
            actor=editor,
            decision=decision,
            recipient=recipient,
            achievement="Thành tích xuất sắc trong công tác Mặt trận năm 2022",
            note=ILLUSTRATIVE_RECIPIENT,
        )

    pledge = Pledge.objects.filter(unit=district, year=YEAR, status=PledgeStatus.LOCKED).first()
    if pledge is None:
        return
    award = AwardType.objects.get(code="giay-khen")
    proposals = services.proposals_from_ranking(
        actor=editor, pledge=pledge, award_type=award, top=3
    )
    decision = services.decision_create(
        actor=approver,
        unit=district,
        award_type=award,
        issuer=committee_name(district),
        number="01/QĐ-MTTQ",
        signed_on=dt.date(2024, 1, 10),
        achievement_year=YEAR,
        summary=(
            "Về việc tặng Giấy khen cho Ủy ban MTTQ Việt Nam các phường dẫn đầu phong trào thi "
            "đua năm 2023"
        ),
        source_note=(
            "Dữ liệu demo: số, ngày quyết định và kết quả xếp hạng năm 2023 là minh họa, tính từ "
            "số liệu minh họa của giao ước."
        ),
    )
    for proposal in proposals:
        services.commendation_add(actor=approver, decision=decision, proposal=proposal)
    out.write(
        "  Khen thưởng năm 2022 trao tại Hội nghị 13/01/2023 (2 quyết định); Giấy khen năm 2023: "
        + ", ".join(p.recipient_unit.name for p in proposals)
    )


# ===================================================================== the conference

CONFERENCE_TITLE = (
    "Hội nghị phát động thi đua, ký kết chương trình phối hợp công tác giữa Ủy ban MTTQ Việt Nam "
    "quận với các tổ chức thành viên năm 2023; ký kết giao ước thi đua giữa Ủy ban MTTQ các "
    "phường năm 2023 và gặp mặt Ủy viên Ủy ban MTTQ Việt Nam quận nhân dịp Tết Nguyên đán Quý Mão"
)


def _person(full_name: str):
    from mattran.units.models import Person

    person = Person.objects.filter(full_name=full_name).order_by("pk").first()
    return person or Person.objects.create(full_name=full_name)


@transaction.atomic
def step_conference(out) -> None:
    """The conference of 13/01/2023 (its news article: demo/news.py)."""
    from .models import CommendationDecision, Conference, ConferenceKind, Pledge

    district = thanh_xuan()
    users = _accounts(district, list(Unit.objects.filter(parent=district)))
    editor = users["bientap.thanhxuan"]
    if Conference.objects.filter(unit=district, held_on=CONFERENCE_DAY).exists():
        return
    chair = _person("Khổng Minh Thảo")
    conference = services.conference_create(
        actor=editor,
        unit=district,
        data=services.ConferenceInput(
            kind=ConferenceKind.LAUNCH,
            title=CONFERENCE_TITLE,
            held_on=CONFERENCE_DAY,
            session="morning",
            chair=chair,
            chair_title="UVTV, Chủ tịch Ủy ban MTTQ Việt Nam quận",
            key_task_year=YEAR,
            summary="",
        ),
    )
    attendees = [
        ("Nguyễn Minh Tiến", "Phó Bí thư Thường trực Quận ủy, Chủ tịch HĐND quận", 1, True),
        (
            "",
            "các đồng chí đại diện Thường trực HĐND, lãnh đạo UBND quận, Ban Dân vận Quận ủy",
            None,
            True,
        ),
        ("Khổng Minh Thảo", "UVTV, Chủ tịch Ủy ban MTTQ Việt Nam quận", 1, False),
        (
            "Hồ Anh Tuấn",
            "QUV, Bí thư Đoàn thanh niên Cộng sản Hồ Chí Minh quận",
            1,
            False,
        ),
        (
            "Phan Thị Thanh Hương",
            "Chủ tịch Ủy ban MTTQ Việt Nam phường Phương Liệt",
            1,
            False,
        ),
        ("", "Trưởng các Tổ chức thành viên thuộc Ủy ban MTTQ Việt Nam quận", 16, False),
        ("", "Chủ tịch Ủy ban MTTQ Việt Nam các phường", 11, False),
    ]
    for name, title, headcount, guest in attendees:
        services.conference_attendee_add(
            actor=editor,
            conference=conference,
            full_name=name,
            person=_person(name) if name else None,
            title=title,
            headcount=headcount,
            is_guest=guest,
        )
    agenda = [
        (
            "thay mặt các tổ chức thành viên phát biểu hưởng ứng, thể hiện quyết tâm phối hợp thực "
            "hiện thắng lợi nhiệm vụ đề ra trong chương trình phối hợp năm 2023",
            "Hồ Anh Tuấn – QUV, Bí thư Đoàn thanh niên Cộng sản Hồ Chí Minh quận",
        ),
        (
            "thay mặt Ủy ban MTTQ các phường phát biểu hưởng ứng, thể hiện quyết tâm thực hiện "
            "giao ước thi đua giữa Ủy ban MTTQ 11 phường",
            "Phan Thị Thanh Hương – Chủ tịch Ủy ban MTTQ Việt Nam phường Phương Liệt",
        ),
        (
            "thay mặt lãnh đạo quận đánh giá cao thành tích của Ủy ban MTTQ Việt Nam quận Thanh "
            "Xuân năm 2022 và tin tưởng các thành tích này sẽ tiếp tục được duy trì trong năm 2023",
            "Nguyễn Minh Tiến – Phó Bí thư Thường trực Quận ủy, Chủ tịch HĐND quận",
        ),
        ("Hội nghị gặp mặt Ủy viên Ủy ban MTTQ Việt Nam quận nhân dịp Tết Nguyên đán Quý Mão", ""),
    ]
    for content, speaker in agenda:
        services.conference_agenda_add(
            actor=editor, conference=conference, content=content, speaker=speaker
        )
    services.conference_links_set(
        actor=editor,
        conference=conference,
        pledges=Pledge.objects.filter(unit=district, year=YEAR),
        programs=CoordinationProgram.objects.filter(unit=district, year=YEAR),
        decisions=CommendationDecision.objects.filter(unit=district, achievement_year=2022),
    )
    out.write("  Hội nghị ngày 13/01/2023 của Quận Thanh Xuân")
