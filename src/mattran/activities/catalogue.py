"""The standard catalogue of activity types and aggregate data elements.

Installed by a data migration; administrators extend it in the admin without
code. `install` takes the migration's app registry so it works on historical
models, and is idempotent (matches on `code`, never overwrites edits).
"""

from __future__ import annotations

# code, name, uses_attendance, uses_subject, subject_label, uses_supervised_units
ACTIVITY_TYPES = [
    ("tuyen_truyen", "Tuyên truyền", True, False, "", False),
    ("toa_dam", "Tọa đàm", True, False, "", False),
    ("hoi_nghi", "Hội nghị", True, False, "", False),
    ("hoi_nghi_dbnd", "Hội nghị đại biểu nhân dân", True, False, "", False),
    ("doi_thoai", "Đối thoại định kỳ", True, True, "Nội dung đối thoại", False),
    (
        "phan_bien",
        "Hội nghị phản biện xã hội",
        True,
        True,
        "Đề án, dự thảo được phản biện",
        False,
    ),
    ("doan_giam_sat", "Đoàn giám sát", False, True, "Nội dung giám sát", True),
    (
        "ttnd_giam_sat",
        "Giám sát của Ban Thanh tra nhân dân",
        False,
        True,
        "Nội dung giám sát",
        False,
    ),
    (
        "gsdtcd_cong_trinh",
        "Giám sát đầu tư của cộng đồng (công trình)",
        False,
        True,
        "Tên công trình được giám sát",
        False,
    ),
    ("ngay_hoi_ddk", "Ngày hội Đại đoàn kết toàn dân tộc", True, False, "", False),
    ("khac", "Hoạt động khác", True, False, "", False),
]

# code, name, unit label, period type
DATA_ELEMENTS = [
    ("don_thu_tiep_nhan", "Đơn thư tiếp nhận", "đơn", "month"),
    ("don_thu_da_chuyen", "Đơn thư đã chuyển cơ quan có thẩm quyền", "đơn", "month"),
    ("y_kien_cu_tri", "Ý kiến, kiến nghị của cử tri được tổng hợp", "ý kiến", "quarter"),
]


def install(apps) -> None:
    ActivityType = apps.get_model("activities", "ActivityType")
    DataElement = apps.get_model("activities", "DataElement")
    for order, (code, name, att, subj, subj_label, sup) in enumerate(ACTIVITY_TYPES, start=1):
        ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "uses_attendance": att,
                "uses_subject": subj,
                "subject_label": subj_label,
                "uses_supervised_units": sup,
                "order": order * 10,
            },
        )
    for order, (code, name, label, period_type) in enumerate(DATA_ELEMENTS, start=1):
        DataElement.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_label": label,
                "period_type": period_type,
                "order": order * 10,
            },
        )
