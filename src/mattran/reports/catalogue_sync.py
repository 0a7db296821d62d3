"""Bring an existing database's default report template up to the catalogue (`catalogue.py`).

`catalogue.install` creates the template only once: a database made before the
catalogue gained lines (per-level sentences, money by purpose, the transfer's
purpose, congresses and commendations) keeps its old lines. This updates the
default catalogue's template in place, line by line:

- a line whose sentence is the catalogue's sentence now: left as it is;
- a line whose sentence is one the catalogue shipped before (`PREVIOUS`): the
  office never changed it, so it gets the current sentence;
- a line whose sentence is anything else: an office edited it; it is kept, and
  a line for one level that would replace it in that level's reports is not
  added either;
- a catalogue line the template lacks (and a section it lacks): added.

Lines an office added itself are never touched. Run by the data migration
`reports.0005_catalogue_sync` and by `mattran report_catalogue_sync [--dry-run]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import ADD, SECTIONS, TEMPLATE, install

# (section heading, indicator code or None, level) -> sentences the catalogue shipped
# before for that line (from the repository's history), oldest first.
PREVIOUS: dict[tuple[str, str | None, int | None], tuple[str, ...]] = {
    ("Công tác vận động quỹ và an sinh xã hội", "quy_vi_nguoi_ngheo_chi", None): (
        "[[Trong {period_short}, đã trích {quy_vi_nguoi_ngheo_chi} đồng từ quỹ “Vì người "
        "nghèo” các cấp {unit.kind_lower}]][[ hỗ trợ {quy_vi_nguoi_ngheo_suat_qua} suất "
        "quà]][[, sửa {quy_vi_nguoi_ngheo_nha:02} nhà Nhân ái]][[; ủng hộ {parent.kind} "
        "{ung_ho_cap_tren} đồng]].",
        "[[Trong {period_short}, đã trích {quy_vi_nguoi_ngheo_chi} đồng từ quỹ “Vì người "
        "nghèo” các cấp {unit.kind_lower}]][[ hỗ trợ {quy_vi_nguoi_ngheo_suat_qua} suất "
        "quà]][[, sửa {quy_vi_nguoi_ngheo_nha:02} nhà Nhân ái]][[, hỗ trợ khám chữa bệnh cho "
        "{quy_vi_nguoi_ngheo_kcb_ho} hộ ({quy_vi_nguoi_ngheo_kcb_tien} đồng)]][[, tổ chức "
        "phiên chợ 0 đồng với {cho_0_dong_suat} suất quà ({cho_0_dong_tien} đồng)]][[, xây "
        "{quy_vi_nguoi_ngheo_nha_xay:02} nhà Đại đoàn kết ({quy_vi_nguoi_ngheo_nha_xay_tien} "
        "đồng)]][[, trao {hoc_bong} suất học bổng ({hoc_bong_tien} đồng)]][[; ủng hộ "
        "{parent.kind} {ung_ho_cap_tren} đồng]].",
    ),
    ("Công tác vận động quỹ và an sinh xã hội", "quy_vi_nguoi_ngheo_chi", 3): (
        "[[Trong {period_short}, vận động Quỹ “Vì người nghèo” được "
        "{quy_vi_nguoi_ngheo_van_dong} đồng]][[; đã trích {quy_vi_nguoi_ngheo_chi} đồng]][[ "
        "hỗ trợ {quy_vi_nguoi_ngheo_suat_qua} suất quà ({quy_vi_nguoi_ngheo_qua_tien} "
        "đồng)]][[, sửa {quy_vi_nguoi_ngheo_nha:02} nhà Nhân ái ({quy_vi_nguoi_ngheo_nha_tien} "
        "đồng)]][[, hỗ trợ khám chữa bệnh cho {quy_vi_nguoi_ngheo_kcb_ho} hộ "
        "({quy_vi_nguoi_ngheo_kcb_tien} đồng)]][[, tổ chức phiên chợ 0 đồng với "
        "{cho_0_dong_suat} suất quà ({cho_0_dong_tien} đồng)]][[, xây "
        "{quy_vi_nguoi_ngheo_nha_xay:02} nhà Đại đoàn kết ({quy_vi_nguoi_ngheo_nha_xay_tien} "
        "đồng)]][[, trao {hoc_bong} suất học bổng ({hoc_bong_tien} đồng)]][[; ủng hộ "
        "{parent.kind} {ung_ho_cap_tren} đồng]].",
    ),
}
PREVIOUS_RECIPIENTS = (
    "Ban Thường trực Ủy ban MTTQ Việt Nam {parent};\nThường trực {unit_kind} ủy;\n"
    "Các đồng chí Ủy viên Ủy ban;\nLưu VT.",
)


@dataclass
class SyncResult:
    template: str = ""
    updated: list[str] = field(default_factory=list)  # old default sentence -> current
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by an office: not touched

    @property
    def changed(self) -> bool:
        return bool(self.updated or self.added)

    def lines(self) -> list[str]:
        out = [f"Mẫu “{self.template}”:" if self.template else "Không có mẫu mặc định."]
        out += [f"  cập nhật: {x}" for x in self.updated]
        out += [f"  thêm: {x}" for x in self.added]
        out += [f"  giữ nguyên (đơn vị đã sửa): {x}" for x in self.kept]
        if self.template and not (self.changed or self.kept):
            out.append("  đã đúng danh mục, không có gì thay đổi.")
        return out


def _slots():
    """(section order, heading, [(item order, code, sentence, level)]) as `install` lays out."""
    for s_order, (heading, items) in enumerate(SECTIONS, start=1):
        order, out = 0, []
        for code, sentence, *extra in items:
            level = extra[0] if extra else None
            if level is None or ADD in extra:
                order += 1
            out.append((order, code, sentence, level))
        yield s_order, heading, out


def _label(heading: str, code: str | None, level: int | None) -> str:
    where = f"cấp {level}" if level else "mọi cấp"
    return f"{heading} / {code or 'câu không gắn chỉ tiêu'} ({where})"


def catalogue_sync(apps, *, dry_run: bool = False) -> SyncResult:
    """Update the default catalogue's template (code `TEMPLATE["code"]`) in place; with
    `dry_run`, only say what would change. `apps`: a migration's app registry or
    `django.apps.apps`."""
    Indicator = apps.get_model("reports", "Indicator")
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    ReportSection = apps.get_model("reports", "ReportSection")
    ReportItem = apps.get_model("reports", "ReportItem")

    result = SyncResult()
    template = ReportTemplate.objects.filter(code=TEMPLATE["code"]).first()
    if template is None:
        if not dry_run:
            install(apps)  # a database without it gets the whole catalogue
            result.template = TEMPLATE["name"]
            result.added.append("toàn bộ mẫu")
        return result
    if not dry_run:
        install(apps)  # indicators and rules new since (by code; existing ones untouched)
    result.template = template.name
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    if template.recipients in PREVIOUS_RECIPIENTS:
        result.updated.append("nơi nhận")
        if not dry_run:
            template.recipients = TEMPLATE["recipients"]
            template.save(update_fields=["recipients"])

    for s_order, heading, slots in _slots():
        section = ReportSection.objects.filter(template=template, heading=heading).first()
        if section is None:
            result.added.append(f"mục “{heading}”")
            if dry_run:
                continue
            section = ReportSection.objects.create(
                template=template, order=s_order, heading=heading
            )
        existing = list(ReportItem.objects.filter(section=section).order_by("order", "pk"))
        used: set[int] = set()
        todo = []
        for order, code, sentence, level in slots:  # first: lines already as the catalogue
            ind = indicators.get(code) if code else None
            same = next(
                (
                    i
                    for i in existing
                    if i.pk not in used
                    and i.indicator_id == ind
                    and i.level == level
                    and i.sentence == sentence
                ),
                None,
            )
            if same is not None:
                used.add(same.pk)
            else:
                todo.append((order, code, sentence, level, ind))
        edited: set[str | None] = set()  # codes whose general line an office edited
        for order, code, sentence, level, ind in todo:
            previous = PREVIOUS.get((heading, code, level), ())
            cands = [
                i
                for i in existing
                if i.pk not in used and i.indicator_id == ind and i.level == level
            ]
            old = next((i for i in cands if i.sentence in previous), None)
            label = _label(heading, code, level)
            if old is not None:
                used.add(old.pk)
                result.updated.append(label)
                if not dry_run:
                    old.sentence = sentence
                    old.save(update_fields=["sentence"])
                continue
            if cands:  # the line is there, worded by the office
                used.add(cands[0].pk)
                result.kept.append(label)
                if level is None:
                    edited.add(code)
                continue
            if level is not None and code in edited:
                result.kept.append(f"{label}: không thêm, vì câu chung đã được đơn vị sửa")
                continue
            result.added.append(label)
            if not dry_run:
                ReportItem.objects.create(
                    section=section, order=order, indicator_id=ind, sentence=sentence, level=level
                )
    return result
