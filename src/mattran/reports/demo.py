"""Demo: what the 21 wards of Quận Đống Đa and the district office recorded in 2022–2023.

The records are spread across wards and months the way offices record them
(fewer in the Tết months, more in spring and in September's run-up to the
review), with a fixed random seed, and sum exactly to the figures of the
district's 9-month review (seed 003): 103 propaganda sessions with 9,856
attendances, 11 seminars, 2 supervision delegations over 6 named wards, 46
People's Inspection supervisions, 131 works under Community Investment
Supervision, mediation 86 of 92, 2 district social-criticism conferences on
the two named proposals, 21 at ward level, 11 periodic dialogues. 2022 has its
own (smaller) figures so the previous-year column says something.

Most wards have submitted their 9-month report and had it approved; Láng
Thượng has not submitted and Ô Chợ Dừa's was returned, so completeness shows
who is late.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mattran.activities.models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
    MediationOutcome,
    SupervisedUnit,
)
from mattran.core.audit import audit_record
from mattran.core.periods import Period
from mattran.core.vietnamese import fold
from mattran.units.models import Unit

from .models import Submission, SubmissionStatus

DISTRICT = "Quận Đống Đa"
VERSION = "2023"
SUPERVISED = [
    ["Phường Láng Thượng", "Phường Thổ Quan", "Phường Trung Liệt"],
    ["Phường Nam Đồng", "Phường Phương Mai", "Phường Phương Liên"],
]
SUPERVISION_SUBJECT = (
    "việc vận động, quản lý sử dụng Quỹ “Vì Người nghèo” và các Quỹ an sinh xã hội do Ủy ban "
    "MTTQ Việt Nam Quận triển khai và việc thực hiện chế độ, chính sách đối với cán bộ, hội "
    "viên của các Hội tại các phường trên địa bàn quận Đống Đa năm 2023"
)
PROPOSALS_2023 = [
    "Đề án “Ứng dụng công nghệ thông tin hướng tới chuyển đổi số trong hoạt động của các cơ "
    "quan thuộc hệ thống chính trị quận Đống Đa đến năm 2025, định hướng đến năm 2030”",
    "Đề án “Tuyến phố chuyên doanh ẩm thực Nguyễn Văn Tuyết quận Đống Đa, thành phố Hà Nội”",
]
NOT_SUBMITTED = "Phường Láng Thượng"
RETURNED = "Phường Ô Chợ Dừa"
RETURN_COMMENT = (
    "Đề nghị phường rà soát lại số người tham dự các cuộc tuyên truyền tháng 8 "
    "và bổ sung biên bản hội nghị phản biện."
)


@dataclass(frozen=True)
class YearPlan:
    year: int
    district_sessions: list[int]  # attendance of each district-office propaganda session
    ward_sessions: int
    ward_attendance: int
    seminars_district: int
    seminars_wards: int
    supervised: list[list[str]]
    supervision_subject: str
    inspections: int  # People's Inspection Board
    works: int  # Community Investment Supervision
    mediation_received: int
    mediation_resolved: int
    mediation_failed: int
    proposals: list[str]
    ward_conferences: int
    dialogues: int


PLANS = [
    YearPlan(
        year=2023,
        district_sessions=[350, 280, 226],
        ward_sessions=100,
        ward_attendance=9000,
        seminars_district=2,
        seminars_wards=9,
        supervised=SUPERVISED,
        supervision_subject=SUPERVISION_SUBJECT,
        inspections=46,
        works=131,
        mediation_received=92,
        mediation_resolved=86,
        mediation_failed=2,
        proposals=PROPOSALS_2023,
        ward_conferences=21,
        dialogues=11,
    ),
    YearPlan(
        year=2022,
        district_sessions=[300, 262],
        ward_sessions=94,
        ward_attendance=8180,
        seminars_district=1,
        seminars_wards=8,
        supervised=[["Phường Quang Trung", "Phường Khâm Thiên", "Phường Văn Miếu"]],
        supervision_subject=(
            "việc thực hiện Quy chế dân chủ ở cơ sở và công tác tiếp công dân tại các phường "
            "năm 2022"
        ),
        inspections=41,
        works=118,
        mediation_received=85,
        mediation_resolved=78,
        mediation_failed=3,
        proposals=[
            "Dự thảo “Kế hoạch chỉnh trang đô thị, xây dựng tuyến phố văn minh quận Đống Đa "
            "năm 2022”"
        ],
        ward_conferences=19,
        dialogues=10,
    ),
]

# Fewer activities around Tết (January–February), more in spring and September.
MONTH_WEIGHTS = [0.6, 0.7, 1.2, 1.2, 1.1, 1.0, 0.9, 1.1, 1.3]

PROPAGANDA_TOPICS = [
    "Tuyên truyền phòng cháy, chữa cháy tại khu dân cư",
    "Tuyên truyền cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”",
    "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở",
    "Tuyên truyền phòng, chống tệ nạn ma túy trong thanh thiếu niên",
    "Tuyên truyền phân loại rác thải tại nguồn, bảo vệ môi trường",
    "Tuyên truyền bảo đảm trật tự an toàn giao thông",
    "Tuyên truyền phòng, chống dịch sốt xuất huyết",
    "Tuyên truyền phổ biến pháp luật về đất đai",
    "Tuyên truyền phòng, chống lừa đảo qua mạng",
    "Tuyên truyền cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”",
]
SEMINAR_TOPICS = [
    "Tọa đàm kỷ niệm Ngày Quốc tế Phụ nữ 8/3",
    "Tọa đàm xây dựng tổ dân phố văn minh, sạch đẹp",
    "Tọa đàm phát huy vai trò người có uy tín ở khu dân cư",
    "Tọa đàm về công tác hòa giải ở cơ sở",
    "Tọa đàm “Người cao tuổi tham gia bảo vệ môi trường”",
]
INSPECTION_TOPICS = [
    "Giám sát việc thu, chi các khoản đóng góp tự nguyện của nhân dân",
    "Giám sát việc thực hiện quy chế dân chủ tại UBND phường",
    "Giám sát việc giải quyết đơn thư, kiến nghị của công dân",
    "Giám sát việc cấp giấy phép sửa chữa, cải tạo nhà ở",
    "Giám sát việc chi trả chế độ chính sách cho người có công",
]
STREETS = [
    "Láng",
    "Nguyễn Chí Thanh",
    "Tây Sơn",
    "Khâm Thiên",
    "Xã Đàn",
    "Đê La Thành",
    "Hào Nam",
    "Chùa Bộc",
    "Thái Hà",
    "Tôn Đức Thắng",
    "Phạm Ngọc Thạch",
    "Lê Duẩn",
    "Trường Chinh",
    "Kim Hoa",
    "Hoàng Cầu",
    "Trần Quang Diệu",
    "Văn Chương",
    "Quốc Tử Giám",
]
WORK_KINDS = [
    "Cải tạo, chỉnh trang ngõ {n} phố {s}",
    "Cải tạo hệ thống thoát nước ngõ {n} phố {s}",
    "Sửa chữa nhà văn hóa tổ dân phố số {m}",
    "Lát lại vỉa hè phố {s} đoạn số {n}–{n2}",
    "Lắp đặt chiếu sáng ngõ {n} phố {s}",
]
MEDIATION_TOPICS = [
    "Tranh chấp lối đi chung trong ngõ",
    "Mâu thuẫn giữa các hộ liền kề do thấm dột",
    "Mâu thuẫn trong gia đình về chăm sóc cha mẹ",
    "Tranh chấp ranh giới đất ở",
    "Mâu thuẫn về tiếng ồn sinh hoạt",
    "Tranh chấp về việc sử dụng không gian chung của nhà tập thể",
    "Mâu thuẫn về nuôi chó không rọ mõm",
]
DIALOGUE_TOPICS = [
    "Đối thoại giữa Chủ tịch UBND phường với nhân dân về trật tự đô thị",
    "Đối thoại về công tác vệ sinh môi trường, thu gom rác thải",
    "Đối thoại về cải tạo nhà tập thể cũ",
]


def spread(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Integers summing to `total`, proportional to jittered weights (largest remainder)."""
    jittered = [w * rng.uniform(0.7, 1.3) for w in weights]
    s = sum(jittered)
    raw = [total * w / s for w in jittered]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[
        : total - sum(out)
    ]:
        out[i] += 1
    return out


def _day(rng: random.Random, year: int, month: int, first: int = 1, last: int = 28) -> dt.date:
    return dt.date(year, month, rng.randint(first, last))


class Builder:
    def __init__(self, district: Unit, wards: list[Unit], types: dict[str, ActivityType]):
        self.district = district
        self.wards = wards
        self.by_name = {w.name: w for w in wards}
        self.types = types
        self.records: list[ActivityRecord] = []
        self.supervised: list[tuple[ActivityRecord, list[Unit]]] = []
        self.cases: list[MediationCase] = []

    def add(self, unit: Unit, code: str, day: dt.date, title: str, **kw) -> ActivityRecord:
        rec = ActivityRecord(
            unit=unit,
            unit_path=unit.path,
            type=self.types[code],
            date=day,
            title=title,
            search_key=fold(f"{title} {kw.get('subject', '')}"),
            **kw,
        )
        self.records.append(rec)
        return rec

    def per_ward_and_month(self, total: int, rng: random.Random) -> list[tuple[Unit, int]]:
        """(ward, month) for `total` items spread over wards (weighted) and Jan–Sep."""
        weights = [rng.uniform(0.6, 1.4) for _ in self.wards]
        per_ward = spread(total, weights, rng)
        out = []
        for ward, n in zip(self.wards, per_ward, strict=True):
            months = spread(n, MONTH_WEIGHTS, rng)
            for m, k in enumerate(months, start=1):
                out += [(ward, m)] * k
        return out

    def year(self, plan: YearPlan, rng: random.Random) -> None:
        y = plan.year
        # Propaganda: the district office's sessions, then the wards'.
        for i, att in enumerate(plan.district_sessions):
            self.add(
                self.district,
                "tuyen_truyen",
                _day(rng, y, 3 + 2 * i),
                PROPAGANDA_TOPICS[i % len(PROPAGANDA_TOPICS)] + " (cấp quận)",
                attendance=att,
            )
        slots = self.per_ward_and_month(plan.ward_sessions, rng)
        attendance = spread(plan.ward_attendance, [1.0] * len(slots), rng)
        for (ward, m), att in zip(slots, attendance, strict=True):
            self.add(
                ward, "tuyen_truyen", _day(rng, y, m), rng.choice(PROPAGANDA_TOPICS), attendance=att
            )
        # Seminars.
        for i in range(plan.seminars_district):
            self.add(
                self.district,
                "toa_dam",
                _day(rng, y, 3 + 4 * i),
                SEMINAR_TOPICS[i],
                attendance=rng.randint(60, 120),
            )
        for ward, m in rng.sample(
            self.per_ward_and_month(plan.seminars_wards * 2, rng), plan.seminars_wards
        ):
            self.add(
                ward,
                "toa_dam",
                _day(rng, y, m),
                rng.choice(SEMINAR_TOPICS),
                attendance=rng.randint(30, 80),
            )
        # The district's direct supervision delegations.
        for i, names in enumerate(plan.supervised):
            rec = self.add(
                self.district,
                "doan_giam_sat",
                dt.date(y, 6 + i, 12 + i),
                f"Đoàn giám sát số {i + 1} của Ban Thường trực Ủy ban MTTQ Việt Nam quận",
                subject=plan.supervision_subject,
                notes="Thành phần: Ban Thường trực, đại diện các tổ chức thành viên quận.",
            )
            self.supervised.append((rec, [self.by_name[n] for n in names]))
        # People's Inspection Boards and Community Investment Supervision Boards (wards).
        for ward, m in self.per_ward_and_month(plan.inspections, rng):
            self.add(
                ward,
                "ttnd_giam_sat",
                _day(rng, y, m),
                "Ban Thanh tra nhân dân giám sát",
                subject=rng.choice(INSPECTION_TOPICS),
            )
        for ward, m in self.per_ward_and_month(plan.works, rng):
            work = rng.choice(WORK_KINDS).format(
                n=rng.randint(2, 180),
                n2=rng.randint(181, 300),
                m=rng.randint(1, 60),
                s=rng.choice(STREETS),
            )
            self.add(
                ward,
                "gsdtcd_cong_trinh",
                _day(rng, y, m),
                "Ban Giám sát đầu tư của cộng đồng giám sát công trình",
                subject=work,
            )
        # Social criticism: the district on its proposals, each ward once.
        for i, proposal in enumerate(plan.proposals):
            self.add(
                self.district,
                "phan_bien",
                dt.date(y, 4 + 3 * i, 18),
                "Hội nghị phản biện xã hội cấp quận",
                subject=proposal,
                attendance=rng.randint(60, 90),
            )
        for ward in rng.sample(self.wards, plan.ward_conferences):
            self.add(
                ward,
                "phan_bien",
                _day(rng, y, rng.randint(3, 9)),
                "Hội nghị phản biện xã hội",
                subject=f"Dự thảo Kế hoạch chỉnh trang đô thị {ward.name.lower()} năm {y}",
                attendance=rng.randint(30, 60),
            )
        for ward in rng.sample(self.wards, plan.dialogues):
            self.add(
                ward,
                "doi_thoai",
                _day(rng, y, rng.randint(2, 9)),
                "Hội nghị đối thoại",
                subject=rng.choice(DIALOGUE_TOPICS),
                attendance=rng.randint(50, 150),
            )
        self.mediation(plan, rng)

    def mediation(self, plan: YearPlan, rng: random.Random) -> None:
        y = plan.year
        end = dt.date(y, 9, 30)
        slots = sorted(self.per_ward_and_month(plan.mediation_received, rng), key=lambda s: s[1])
        pending = plan.mediation_received - plan.mediation_resolved - plan.mediation_failed
        cases = []
        for i, (ward, m) in enumerate(slots):
            if i >= len(slots) - pending:
                # The latest cases are still open at the end of September. 2022's were
                # closed in the autumn, so nothing carries over into 2023.
                received = _day(rng, y, 9, 10, 25)
                if y < 2023:
                    outcome, closed = MediationOutcome.RESOLVED, dt.date(y, 11, rng.randint(1, 28))
                else:
                    outcome, closed = MediationOutcome.PENDING, None
            else:
                received = _day(rng, y, m)
                outcome = MediationOutcome.RESOLVED
                closed = min(received + dt.timedelta(days=rng.randint(3, 30)), end)
            cases.append(
                MediationCase(
                    unit=ward,
                    unit_path=ward.path,
                    received_on=received,
                    title=rng.choice(MEDIATION_TOPICS),
                    outcome=outcome,
                    closed_on=closed,
                )
            )
        closed_in_period = [c for c in cases if c.closed_on and c.closed_on <= end]
        for c in rng.sample(closed_in_period, plan.mediation_failed):
            c.outcome = MediationOutcome.FAILED
        self.cases += cases


def _aggregates(wards: list[Unit], rng: random.Random) -> list[AggregateEntry]:
    received_el = DataElement.objects.get(code="don_thu_tiep_nhan")
    forwarded_el = DataElement.objects.get(code="don_thu_da_chuyen")
    entries = []
    for year in (2022, 2023):
        for ward in wards:
            for month in range(1, 10):
                p = Period.month(year, month)
                received = rng.choice([0, 0, 1, 1, 2, 3])
                if not received:
                    continue
                for el, value in (
                    (received_el, received),
                    (forwarded_el, rng.randint(0, received)),
                ):
                    entries.append(
                        AggregateEntry(
                            unit=ward,
                            unit_path=ward.path,
                            element=el,
                            period_start=p.start,
                            period_end=p.end,
                            value=value,
                        )
                    )
    return entries


@transaction.atomic
def step_dong_da_records(out) -> None:
    # The catalogues come with the migrations; re-ensure them (idempotent) for databases
    # flushed since, such as those of transactional tests.
    from django.apps import apps

    from mattran.activities import catalogue as activity_catalogue

    from . import catalogue as report_catalogue

    activity_catalogue.install(apps)
    report_catalogue.install(apps)
    district = Unit.objects.get(version__code=VERSION, name=DISTRICT, level=2)
    if ActivityRecord.objects.filter(Unit.subtree_q(district.path, "unit_")).exists():
        out.write("  Đã có hoạt động của Quận Đống Đa, bỏ qua.")
        return
    wards = list(Unit.objects.filter(parent=district).order_by("path"))
    types = {t.code: t for t in ActivityType.objects.all()}
    builder = Builder(district, wards, types)
    for plan in PLANS:
        builder.year(plan, random.Random(f"dong-da-{plan.year}"))  # noqa: S311 - demo data
    ActivityRecord.objects.bulk_create(builder.records, batch_size=500)
    SupervisedUnit.objects.bulk_create(
        [
            SupervisedUnit(record=rec, unit=u, order=i)
            for rec, units in builder.supervised
            for i, u in enumerate(units, start=1)
        ]
    )
    MediationCase.objects.bulk_create(builder.cases, batch_size=500)
    aggregates = _aggregates(wards, random.Random("dong-da-aggregates"))  # noqa: S311
    AggregateEntry.objects.bulk_create(aggregates, batch_size=500)
    audit_record(
        actor=None,
        action="demo.records",
        unit=district,
        note=(
            f"{len(builder.records)} hoạt động, {len(builder.cases)} vụ việc hòa giải, "
            f"{len(aggregates)} số liệu tổng hợp của {DISTRICT} và {len(wards)} phường"
        ),
    )
    out.write(
        f"  {DISTRICT}: {len(builder.records)} hoạt động, {len(builder.cases)} vụ việc hòa giải, "
        f"{len(aggregates)} số liệu tổng hợp (2022–2023)"
    )
    _submissions(district, wards)


def _submissions(district: Unit, wards: list[Unit]) -> None:
    from .selectors import report_build

    approver = get_user_model().objects.filter(username="pheduyet.dongda").first()
    period = Period.nine_months(2023)
    tz = timezone.get_current_timezone()
    subs = []
    for i, ward in enumerate(wards):
        if ward.name == NOT_SUBMITTED:
            continue
        submitted = dt.datetime(2023, 9, 6 + i % 6, 9 + i % 7, 15, tzinfo=tz)
        returned = ward.name == RETURNED
        figures = report_build(user=None, unit=ward, period=period).as_dict()
        subs.append(
            Submission(
                unit=ward,
                period_code=period.code,
                period_start=period.start,
                period_end=period.end,
                status=SubmissionStatus.RETURNED if returned else SubmissionStatus.APPROVED,
                submitted_at=submitted,
                decided_by=approver,
                decided_at=submitted + dt.timedelta(days=2, hours=3),
                comment=RETURN_COMMENT if returned else "",
                figures=figures,
            )
        )
    Submission.objects.bulk_create(subs)
    audit_record(
        actor=None,
        action="demo.submissions",
        unit=district,
        note=f"{len(subs)} báo cáo 9 tháng năm 2023 của các phường",
    )
