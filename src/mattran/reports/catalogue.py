"""The standard indicators, validation rules and the "Báo cáo sơ kết/tổng kết công tác
Mặt trận" template, as data. Installed by a data migration (idempotent, by code).

Each indicator stores only a figure key of the figures layer (`mattran.figures`):
the layer computes it from the app that owns the records (activities,
mediation, aggregate entries, the funds ledger, commendations…).
"""

from __future__ import annotations

# code, name, short name, unit label, figure key, value format
INDICATORS: list[tuple[str, str, str, str, str, str]] = [
    (
        "tuyen_truyen",
        "Số cuộc tuyên truyền",
        "Tuyên truyền",
        "cuộc",
        "activities.count(types=tuyen_truyen)",
        "number",
    ),
    (
        "tuyen_truyen_luot",
        "Số lượt người tham dự tuyên truyền",
        "Lượt người dự tuyên truyền",
        "lượt người",
        "activities.attendance(types=tuyen_truyen)",
        "number",
    ),
    (
        "tuyen_truyen_thieu_so_nguoi",
        "Số cuộc tuyên truyền chưa ghi số người tham dự",
        "Tuyên truyền thiếu số người",
        "cuộc",
        "activities.missing_attendance(types=tuyen_truyen)",
        "number",
    ),
    ("toa_dam", "Số cuộc tọa đàm", "Tọa đàm", "cuộc", "activities.count(types=toa_dam)", "number"),
    (
        "hoi_nghi_dbnd",
        "Số hội nghị đại biểu nhân dân",
        "Hội nghị ĐBND",
        "hội nghị",
        "activities.count(types=hoi_nghi_dbnd)",
        "number",
    ),
    (
        "ngay_hoi_ddk",
        "Số Ngày hội Đại đoàn kết toàn dân tộc",
        "Ngày hội ĐĐK",
        "ngày hội",
        "activities.count(types=ngay_hoi_ddk)",
        "number",
    ),
    (
        "doan_giam_sat",
        "Số đoàn giám sát trực tiếp",
        "Đoàn giám sát",
        "đoàn",
        "activities.count(types=doan_giam_sat)",
        "number",
    ),
    (
        "don_vi_duoc_giam_sat",
        "Số đơn vị được giám sát",
        "Đơn vị được giám sát",
        "đơn vị",
        "activities.supervised_units(types=doan_giam_sat)",
        "number",
    ),
    (
        "ttnd_giam_sat",
        "Số cuộc giám sát của Ban Thanh tra nhân dân",
        "Ban TTND giám sát",
        "cuộc",
        "activities.count(types=ttnd_giam_sat)",
        "number",
    ),
    (
        "gsdtcd_cong_trinh",
        "Số công trình được Ban Giám sát đầu tư của cộng đồng giám sát",
        "Công trình GSĐTCCĐ",
        "công trình",
        "activities.count(types=gsdtcd_cong_trinh)",
        "number",
    ),
    (
        "hoa_giai_tiep_nhan",
        "Số vụ việc hòa giải tiếp nhận",
        "Hòa giải tiếp nhận",
        "vụ việc",
        "mediation.received",
        "number",
    ),
    (
        "hoa_giai_thanh",
        "Số vụ việc hòa giải thành",
        "Hòa giải thành",
        "vụ việc",
        "mediation.resolved",
        "number",
    ),
    (
        "hoa_giai_khong_thanh",
        "Số vụ việc hòa giải không thành",
        "Hòa giải không thành",
        "vụ việc",
        "mediation.failed",
        "number",
    ),
    (
        "hoa_giai_dang_giai_quyet",
        "Số vụ việc đang hòa giải cuối kỳ",
        "Đang hòa giải",
        "vụ việc",
        "mediation.open",
        "number",
    ),
    (
        "ty_le_hoa_giai_thanh",
        "Tỷ lệ hòa giải thành",
        "Tỷ lệ hòa giải thành",
        "%",
        "mediation.rate",
        "percent",
    ),
    (
        "phan_bien",
        "Số hội nghị phản biện xã hội",
        "Phản biện xã hội",
        "hội nghị",
        "activities.count(types=phan_bien)",
        "number",
    ),
    (
        "doi_thoai",
        "Số cuộc đối thoại định kỳ",
        "Đối thoại",
        "cuộc",
        "activities.count(types=doi_thoai)",
        "number",
    ),
    (
        "don_thu_tiep_nhan",
        "Số đơn thư tiếp nhận",
        "Đơn thư tiếp nhận",
        "đơn",
        "aggregates.value(element=don_thu_tiep_nhan)",
        "number",
    ),
    (
        "don_thu_da_chuyen",
        "Số đơn thư đã chuyển cơ quan có thẩm quyền",
        "Đơn thư đã chuyển",
        "đơn",
        "aggregates.value(element=don_thu_da_chuyen)",
        "number",
    ),
    (
        "y_kien_cu_tri",
        "Số ý kiến, kiến nghị của cử tri được tổng hợp",
        "Ý kiến cử tri",
        "ý kiến",
        "aggregates.value(element=y_kien_cu_tri)",
        "number",
    ),
    # The funds ledger.
    (
        "quy_bien_dao_van_dong",
        "Vận động Quỹ “Vì biển, đảo Việt Nam”",
        "Quỹ Vì biển, đảo",
        "đồng",
        "funds.mobilised(fund=sea_islands)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_chi",
        "Chi từ Quỹ “Vì người nghèo” các cấp",
        "Chi Quỹ Vì người nghèo",
        "đồng",
        "funds.spent(fund=poor)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_suat_qua",
        "Số suất quà hỗ trợ từ Quỹ “Vì người nghèo”",
        "Suất quà",
        "suất",
        "funds.spent(fund=poor,measure=quantity,purpose=gifts)",
        "number",
    ),
    (
        "quy_vi_nguoi_ngheo_nha",
        "Số nhà Nhân ái được sửa chữa",
        "Nhà Nhân ái sửa",
        "nhà",
        "funds.spent(fund=poor,measure=quantity,purpose=house_repair)",
        "number",
    ),
    (
        "ung_ho_cap_tren",
        "Ủng hộ cấp trên",
        "Ủng hộ cấp trên",
        "đồng",
        "funds.transfers(direction=up)",
        "money",
    ),
    # What ward and district reviews also publish (issue 10).
    (
        "quy_vi_nguoi_ngheo_van_dong",
        "Vận động Quỹ “Vì người nghèo”",
        "Vận động Quỹ Vì người nghèo",
        "đồng",
        "funds.mobilised(fund=poor)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_qua_tien",
        "Số tiền tặng quà từ Quỹ “Vì người nghèo”",
        "Tiền quà",
        "đồng",
        "funds.spent(fund=poor,purpose=gifts)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_nha_tien",
        "Số tiền sửa chữa nhà Nhân ái",
        "Tiền sửa nhà",
        "đồng",
        "funds.spent(fund=poor,purpose=house_repair)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_nha_xay",
        "Số nhà Đại đoàn kết xây mới",
        "Nhà Đại đoàn kết",
        "nhà",
        "funds.spent(fund=poor,measure=quantity,purpose=house_build)",
        "number",
    ),
    (
        "quy_vi_nguoi_ngheo_nha_xay_tien",
        "Số tiền xây nhà Đại đoàn kết",
        "Tiền xây nhà",
        "đồng",
        "funds.spent(fund=poor,purpose=house_build)",
        "money",
    ),
    (
        "quy_vi_nguoi_ngheo_kcb_ho",
        "Số hộ được hỗ trợ khám chữa bệnh",
        "Hộ được hỗ trợ KCB",
        "hộ",
        "funds.spent(fund=poor,measure=quantity,purpose=medical)",
        "number",
    ),
    (
        "quy_vi_nguoi_ngheo_kcb_tien",
        "Số tiền hỗ trợ khám chữa bệnh",
        "Tiền hỗ trợ KCB",
        "đồng",
        "funds.spent(fund=poor,purpose=medical)",
        "money",
    ),
    (
        "cho_0_dong_suat",
        "Số suất quà tại phiên chợ 0 đồng",
        "Quà chợ 0 đồng",
        "suất",
        "funds.spent(fund=poor,measure=quantity,purpose=zero_market)",
        "number",
    ),
    (
        "cho_0_dong_tien",
        "Trị giá quà tại phiên chợ 0 đồng",
        "Tiền chợ 0 đồng",
        "đồng",
        "funds.spent(fund=poor,purpose=zero_market)",
        "money",
    ),
    (
        "cuu_tro_ho",
        "Số hộ được hỗ trợ khó khăn đột xuất",
        "Hộ được hỗ trợ đột xuất",
        "hộ",
        "funds.spent(fund=poor,measure=quantity,purpose=relief)",
        "number",
    ),
    (
        "cuu_tro_tien",
        "Số tiền hỗ trợ khó khăn đột xuất",
        "Tiền hỗ trợ đột xuất",
        "đồng",
        "funds.spent(fund=poor,purpose=relief)",
        "money",
    ),
    (
        "hoc_bong",
        "Số suất học bổng",
        "Học bổng",
        "suất",
        "funds.spent(fund=poor,measure=quantity,purpose=scholarships)",
        "number",
    ),
    (
        "hoc_bong_tien",
        "Số tiền học bổng",
        "Tiền học bổng",
        "đồng",
        "funds.spent(fund=poor,purpose=scholarships)",
        "money",
    ),
    (
        "khen_thuong_tap_the",
        "Số tập thể được khen thưởng",
        "Tập thể được khen",
        "tập thể",
        "commendations.count(recipient=collective)",
        "number",
    ),
    (
        "khen_thuong_ca_nhan",
        "Số cá nhân được khen thưởng",
        "Cá nhân được khen",
        "cá nhân",
        "commendations.count(recipient=individual)",
        "number",
    ),
    (
        "dai_hoi",
        "Số Đại hội đại biểu MTTQ Việt Nam đã tổ chức",
        "Đại hội",
        "đại hội",
        "conferences.count(kind=congress)",
        "number",
    ),
]

# Words shared by the money sentences: what the poor fund paid for, purpose by purpose,
# each with its amount, so no total is read as the price of one purpose.
_PURPOSES = (
    "[[, hỗ trợ khó khăn đột xuất cho {cuu_tro_ho:02} hộ ({cuu_tro_tien} đồng)]]"
    "[[, hỗ trợ khám chữa bệnh cho {quy_vi_nguoi_ngheo_kcb_ho} hộ "
    "({quy_vi_nguoi_ngheo_kcb_tien} đồng)]][[, tổ chức phiên chợ 0 đồng với {cho_0_dong_suat} "
    "suất quà ({cho_0_dong_tien} đồng)]][[, xây {quy_vi_nguoi_ngheo_nha_xay:02} nhà Đại đoàn "
    "kết ({quy_vi_nguoi_ngheo_nha_xay_tien} đồng)]][[, trao {hoc_bong} suất học bổng "
    "({hoc_bong_tien} đồng)]]"
)

# code, name, kind, severity, extra, message
RULES: list[tuple[str, str, str, str, dict, str]] = [
    (
        "hoa_giai_thanh_khong_qua_tiep_nhan",
        "Hòa giải thành không vượt số tiếp nhận",
        "compare",
        "error",
        {"left": "hoa_giai_thanh", "op": "le", "right": "hoa_giai_tiep_nhan"},
        "{unit}: số vụ hòa giải thành ({left_value}) lớn hơn số vụ tiếp nhận ({right_value}).",
    ),
    (
        "don_thu_chuyen_khong_qua_tiep_nhan",
        "Đơn thư đã chuyển không vượt số tiếp nhận",
        "compare",
        "error",
        {"left": "don_thu_da_chuyen", "op": "le", "right": "don_thu_tiep_nhan"},
        "{unit}: số đơn thư đã chuyển ({left_value}) lớn hơn số đơn thư tiếp nhận ({right_value}).",
    ),
    (
        "tuyen_truyen_ghi_so_nguoi",
        "Cuộc tuyên truyền phải ghi số người tham dự",
        "required_field",
        "error",
        {"type": "tuyen_truyen", "field": "attendance"},
        "Cuộc tuyên truyền phải ghi số người tham dự.",
    ),
    (
        "phan_bien_ghi_de_an",
        "Hội nghị phản biện xã hội phải ghi đề án được phản biện",
        "required_field",
        "error",
        {"type": "phan_bien", "field": "subject"},
        "Hội nghị phản biện xã hội phải ghi tên đề án, dự thảo được phản biện.",
    ),
    (
        "doan_giam_sat_ghi_don_vi",
        "Đoàn giám sát phải ghi đơn vị được giám sát",
        "required_field",
        "error",
        {"type": "doan_giam_sat", "field": "supervised_units"},
        "Đoàn giám sát phải ghi ít nhất một đơn vị được giám sát.",
    ),
    (
        "so_lieu_khong_am",
        "Số liệu không được âm",
        "non_negative",
        "error",
        {},
        "{left} không được là số âm.",
    ),
]

TEMPLATE = {
    "code": "so_ket_tong_ket",
    "name": "Báo cáo sơ kết/tổng kết công tác Mặt trận",
    "title_template": "{review} công tác Mặt trận {period}",
    "number_suffix": "BC-MTTQ-BTT",
    "signer_title": "TM. BAN THƯỜNG TRỰC\nCHỦ TỊCH",
    "recipients": (
        "Ban Thường trực Ủy ban MTTQ Việt Nam {parent};\n"
        "Thường trực {party_committee};\n"
        "Các đồng chí Ủy viên Ủy ban;\n"
        "Lưu VT."
    ),
    "due_days": 5,
    "chart": ["tuyen_truyen", "ttnd_giam_sat", "gsdtcd_cong_trinh", "hoa_giai_thanh"],
}

# heading, [(indicator code or None, sentence[, level[, ADD]])]: a line with a level is for
# reports of that level only; it replaces the general line before it, or with ADD it is an
# extra line. The district template keeps the seed's table (issue 10: the demo's Đống Đa
# report unchanged); wards and communes get the rows of what they publish besides.
ADD = "add"
SECTIONS: list[tuple[str, list[tuple]]] = [
    (
        "Công tác tuyên truyền, vận động",
        [
            (
                "tuyen_truyen",
                "[[Phối hợp tổ chức {tuyen_truyen} cuộc tuyên truyền với {tuyen_truyen_luot} lượt "
                "người tham dự]][[, phối hợp tổ chức {toa_dam} cuộc tọa đàm]].",
            ),
            ("tuyen_truyen_luot", ""),
            ("toa_dam", ""),
            (
                "hoi_nghi_dbnd",
                "[[Tổ chức {hoi_nghi_dbnd} Hội nghị đại biểu nhân dân]][[; tổ chức {ngay_hoi_ddk} "
                "Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư]].",
            ),
            ("ngay_hoi_ddk", ""),
        ],
    ),
    (
        "Công tác vận động quỹ và an sinh xã hội",
        [
            (
                "quy_bien_dao_van_dong",
                "Vận động, ủng hộ Quỹ “Vì Biển, đảo Việt Nam” năm {year} đạt "
                "{quy_bien_dao_van_dong}đ.",
            ),
            # one currency style in a ward's report: "đồng" (the district keeps the seed's)
            (
                "quy_bien_dao_van_dong",
                "Vận động, ủng hộ Quỹ “Vì Biển, đảo Việt Nam” năm {year} đạt "
                "{quy_bien_dao_van_dong} đồng.",
                3,
            ),
            (
                "quy_vi_nguoi_ngheo_chi",
                "[[Trong {period_short}, đã trích {quy_vi_nguoi_ngheo_chi} đồng từ quỹ “Vì người "
                "nghèo” các cấp {unit.kind_lower}]][[ hỗ trợ {quy_vi_nguoi_ngheo_suat_qua} suất "
                "quà]][[, sửa {quy_vi_nguoi_ngheo_nha:02} nhà Nhân ái]]" + _PURPOSES + "[[; ủng hộ "
                "{parent.kind} {ung_ho_cap_tren} đồng {ung_ho_cap_tren.names}]].",
            ),
            # A ward or commune says what it raised and each purpose with its amount.
            (
                "quy_vi_nguoi_ngheo_chi",
                "[[Trong {period_short}, vận động Quỹ “Vì người nghèo” được "
                "{quy_vi_nguoi_ngheo_van_dong} đồng]][[; đã trích {quy_vi_nguoi_ngheo_chi} đồng]]"
                "[[ hỗ trợ {quy_vi_nguoi_ngheo_suat_qua} suất quà ({quy_vi_nguoi_ngheo_qua_tien} "
                "đồng)]][[, sửa {quy_vi_nguoi_ngheo_nha:02} nhà Nhân ái "
                "({quy_vi_nguoi_ngheo_nha_tien} đồng)]]" + _PURPOSES + "[[; ủng hộ {parent.kind} "
                "{ung_ho_cap_tren} đồng {ung_ho_cap_tren.names}]].",
                3,
            ),
            ("quy_vi_nguoi_ngheo_suat_qua", ""),
            ("quy_vi_nguoi_ngheo_nha", ""),
            ("ung_ho_cap_tren", ""),
            # table rows of a ward's or commune's report only
            ("quy_vi_nguoi_ngheo_van_dong", "", 3, ADD),
            ("quy_vi_nguoi_ngheo_qua_tien", "", 3, ADD),
            ("quy_vi_nguoi_ngheo_kcb_ho", "", 3, ADD),
            ("quy_vi_nguoi_ngheo_kcb_tien", "", 3, ADD),
            ("cho_0_dong_suat", "", 3, ADD),
            ("cho_0_dong_tien", "", 3, ADD),
            ("cuu_tro_ho", "", 3, ADD),
            ("cuu_tro_tien", "", 3, ADD),
        ],
    ),
    (
        "Công tác giám sát và phản biện xã hội",
        [
            (
                "doan_giam_sat",
                "[[Tổ chức {doan_giam_sat.self:02} Đoàn giám sát trực tiếp "
                "{doan_giam_sat.subjects} đối với {don_vi_duoc_giam_sat.self} đơn vị: "
                "{doan_giam_sat.units}]].",
            ),
            ("don_vi_duoc_giam_sat", ""),
            (
                "ttnd_giam_sat",
                "[[Ban Thanh tra nhân dân đã giám sát {ttnd_giam_sat} cuộc]][[; Ban Giám sát "
                "đầu tư của cộng đồng giám sát {gsdtcd_cong_trinh} công trình]][[; Hòa giải "
                "{hoa_giai_thanh}/{hoa_giai_tiep_nhan} (đạt {ty_le_hoa_giai_thanh})]];",
            ),
            ("gsdtcd_cong_trinh", ""),
            ("hoa_giai_tiep_nhan", ""),
            ("hoa_giai_thanh", ""),
            ("ty_le_hoa_giai_thanh", ""),
            ("hoa_giai_dang_giai_quyet", ""),
            (
                "phan_bien",
                "[[Tổ chức {phan_bien.self:02} Hội nghị phản biện xã hội cấp {unit.kind} vào "
                "{phan_bien.subjects}]][[ và Ủy ban MTTQ Việt Nam {child.kind_lower} tổ chức "
                "{phan_bien.children} Hội nghị phản biện]][[, phối hợp tổ chức {doi_thoai} cuộc "
                "đối thoại định kỳ]].",
            ),
            ("doi_thoai", ""),
        ],
    ),
    (
        "Công tác nắm tình hình nhân dân",
        [
            (
                "don_thu_tiep_nhan",
                "[[Tiếp nhận {don_thu_tiep_nhan} đơn thư]][[, đã chuyển {don_thu_da_chuyen} "
                "đơn thư đến cơ quan có thẩm quyền giải quyết]][[; tổng hợp {y_kien_cu_tri} "
                "ý kiến, kiến nghị của cử tri]].",
            ),
            ("don_thu_da_chuyen", ""),
            ("y_kien_cu_tri", ""),
        ],
    ),
    (
        "Công tác thi đua, khen thưởng và Đại hội",
        [
            (
                None,
                "[[Tổ chức thành công {dai_hoi} Đại hội đại biểu Mặt trận Tổ quốc Việt Nam]]"
                "[[: {dai_hoi.names}]].",
            ),
            (
                None,
                "[[Khen thưởng {khen_thuong_tap_the} tập thể]][[, {khen_thuong_ca_nhan} cá nhân]] "
                "có thành tích xuất sắc trong công tác Mặt trận.",
            ),
            ("dai_hoi", "", 3, ADD),
            ("khen_thuong_tap_the", "", 3, ADD),
            ("khen_thuong_ca_nhan", "", 3, ADD),
        ],
    ),
]


def install(apps) -> None:
    ActivityType = apps.get_model("activities", "ActivityType")
    Indicator = apps.get_model("reports", "Indicator")
    ValidationRule = apps.get_model("reports", "ValidationRule")
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    ReportSection = apps.get_model("reports", "ReportSection")
    ReportItem = apps.get_model("reports", "ReportItem")

    types = {t.code: t for t in ActivityType.objects.all()}
    indicators = {}
    for order, (code, name, short, label, key, value_format) in enumerate(INDICATORS, 1):
        ind, _ = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "unit_label": label,
                "figure_key": key,
                "value_format": value_format,
                "order": order * 10,
            },
        )
        indicators[code] = ind

    for code, name, kind, severity, extra, message in RULES:
        ValidationRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "severity": severity,
                "left": indicators.get(extra.get("left")),
                "operator": extra.get("op", ""),
                "right": indicators.get(extra.get("right")),
                "activity_type": types.get(extra.get("type")),
                "field": extra.get("field", ""),
                "message": message,
            },
        )

    if ReportTemplate.objects.filter(code=TEMPLATE["code"]).exists():
        return
    template = ReportTemplate.objects.create(
        code=TEMPLATE["code"],
        name=TEMPLATE["name"],
        title_template=TEMPLATE["title_template"],
        number_suffix=TEMPLATE["number_suffix"],
        signer_title=TEMPLATE["signer_title"],
        recipients=TEMPLATE["recipients"],
        due_days=TEMPLATE["due_days"],
        is_default=not ReportTemplate.objects.filter(is_default=True).exists(),
    )
    template.chart_indicators.set([indicators[c] for c in TEMPLATE["chart"]])
    for s_order, (heading, items) in enumerate(SECTIONS, start=1):
        section = ReportSection.objects.create(template=template, order=s_order, heading=heading)
        order = 0
        for code, sentence, *extra in items:
            level = extra[0] if extra else None
            if level is None or ADD in extra:  # else it shares the order of the line it replaces
                order += 1
            ReportItem.objects.create(
                section=section,
                order=order,
                indicator=indicators[code] if code else None,
                sentence=sentence,
                level=level,
            )
