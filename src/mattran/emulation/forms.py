"""Thin forms: they parse input; services validate business rules and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q

from mattran.core.forms import IntegerInputField, StyledFormMixin, UploadField
from mattran.units.models import MemberOrganisation, Person, Unit

from . import measures as measure_registry
from .models import (
    AwardType,
    ConferenceKind,
    CriterionKind,
    EmulationCluster,
    KeyTask,
    Rating,
    Session,
    SignatorySide,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def persons_of(unit: Unit):
    """People linked to a unit: its committee members and the heads of its member organisations."""
    return (
        Person.objects.filter(Q(positions__unit=unit) | Q(headed_organisations__unit=unit))
        .distinct()
        .order_by("full_name")
    )


class FigureKeyChoiceField(forms.ChoiceField):
    """A figure key: one of the offered keys, or any other valid key of the figures layer
    (e.g. sent by a script, or stored before issue 10 under an old measure key). It is
    cleaned to its canonical form; an unknown or malformed key is refused with the valid
    families listed."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return measure_registry.validate(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def valid_value(self, value):
        return True  # checked against the registry in to_python


def measure_choices(*, manual_only: bool = False) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (m.key, f"{m.label} ({m.source_label.lower()})")
        for m in measure_registry.all_measures()
        if m.is_manual or not manual_only
    ]


# ---------------------------------------------------------------------------- planning


class KeyTaskForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="Nội dung nhiệm vụ", widget=forms.Textarea(attrs={"rows": 4}))
    owner_member_organisation = forms.ModelChoiceField(
        label="Tổ chức thành viên phụ trách",
        queryset=MemberOrganisation.objects.none(),
        required=False,
    )
    owner_person = forms.ModelChoiceField(
        label="Hoặc cá nhân phụ trách", queryset=Person.objects.none(), required=False
    )
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)
    measure_1 = FigureKeyChoiceField(label="Chỉ số theo dõi 1", required=False)
    target_1 = IntegerInputField(label="Chỉ tiêu 1", required=False)
    measure_2 = FigureKeyChoiceField(label="Chỉ số theo dõi 2", required=False)
    target_2 = IntegerInputField(label="Chỉ tiêu 2", required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_member_organisation"].queryset = MemberOrganisation.objects.filter(
            unit=unit
        ).order_by("order", "name")
        self.fields["owner_person"].queryset = persons_of(unit)
        for name in ("measure_1", "measure_2"):
            self.fields[name].choices = measure_choices()

    def clean(self):
        data = super().clean()
        if data.get("owner_member_organisation") and data.get("owner_person"):
            raise forms.ValidationError(
                "Chọn người phụ trách là một tổ chức hoặc một cá nhân, không chọn cả hai."
            )
        return data

    def measures(self) -> list[tuple[str, int | None]]:
        out = []
        for i in (1, 2):
            key = self.cleaned_data.get(f"measure_{i}")
            if key:
                out.append((key, self.cleaned_data.get(f"target_{i}")))
        return out

    @classmethod
    def initial_for(cls, task: KeyTask) -> dict:
        initial = {
            "text": task.text,
            "owner_member_organisation": task.owner_member_organisation_id,
            "owner_person": task.owner_person_id,
            "note": task.note,
        }
        for i, link in enumerate(task.measures.all()[:2], start=1):
            initial[f"measure_{i}"] = link.measure_key
            initial[f"target_{i}"] = link.target
        return initial


class ProgramForm(StyledFormMixin, forms.Form):
    member_organisation = forms.ModelChoiceField(
        label="Tổ chức thành viên", queryset=MemberOrganisation.objects.none()
    )
    title = forms.CharField(
        label="Tên chương trình",
        max_length=400,
        required=False,
        help_text="Để trống để dùng tên chuẩn: “Chương trình phối hợp công tác năm … giữa …”.",
    )
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, unit: Unit, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_organisation"].queryset = (
            MemberOrganisation.objects.filter(unit=unit)
            .exclude(coordination_programs__year=year)
            .order_by("order", "name")
        )


class ProgramItemForm(StyledFormMixin, forms.Form):
    content = forms.CharField(label="Nội dung phối hợp", widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.CharField(label="Chủ trì / phối hợp", max_length=300, required=False)
    timeframe = forms.CharField(label="Thời gian", max_length=120, required=False)
    key_task = forms.ModelChoiceField(
        label="Thuộc nhiệm vụ trọng tâm", queryset=KeyTask.objects.none(), required=False
    )

    def __init__(self, *args, unit: Unit, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_task"].queryset = KeyTask.objects.filter(unit=unit, year=year).order_by(
            "order"
        )


class SignatoryForm(StyledFormMixin, forms.Form):
    side = forms.ChoiceField(label="Bên ký", choices=SignatorySide.choices)
    full_name = forms.CharField(label="Họ và tên", max_length=120, required=False)
    title = forms.CharField(label="Chức danh", max_length=200)


class SignForm(StyledFormMixin, forms.Form):
    signed_on = forms.DateField(label="Ngày ký", widget=DATE_WIDGET)


class DocumentForm(StyledFormMixin, forms.Form):
    file = UploadField(kind="document", label="Tệp (PDF, DOCX hoặc ảnh)")


# =========================================================================== emulation


class ClusterForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Tên cụm thi đua", max_length=200)
    members = forms.ModelMultipleChoiceField(
        label="Đơn vị trong cụm", queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Unit.objects.filter(parent=unit).order_by("name")


class PledgeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="Tên giao ước", max_length=400)
    cluster = forms.ModelChoiceField(
        label="Cụm thi đua",
        queryset=EmulationCluster.objects.none(),
        required=False,
        help_text="Chọn một cụm để giao ước gồm các đơn vị của cụm.",
    )
    scale_points = forms.DecimalField(
        label="Thang điểm",
        initial=Decimal(100),
        min_value=Decimal(1),
        max_digits=7,
        decimal_places=2,
    )
    members = forms.ModelMultipleChoiceField(
        label="Đơn vị tham gia",
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Mặc định: tất cả đơn vị trực thuộc.",
        required=False,
    )
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Unit.objects.filter(parent=unit).order_by("name")
        self.fields["members"].widget.attrs["class"] = "list-unstyled columns-md-2"
        self.fields["cluster"].queryset = EmulationCluster.objects.filter(unit=unit).order_by(
            "name"
        )


class CriterionForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label="Ký hiệu", max_length=20, help_text="Ví dụ: CT1")
    short_name = forms.CharField(label="Tên ngắn", max_length=120)
    text = forms.CharField(label="Nội dung tiêu chí", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="Loại tiêu chí", choices=CriterionKind.choices)
    points = forms.DecimalField(label="Điểm chuẩn", min_value=0, max_digits=7, decimal_places=2)
    measure_key = FigureKeyChoiceField(label="Chỉ số đo", required=False)
    target = IntegerInputField(
        label="Chỉ tiêu chung (mức tối thiểu)",
        required=False,
        help_text="Với chỉ tiêu giao riêng: mức mặc định, có thể để trống.",
    )
    target_max = IntegerInputField(label="Mức tối đa (chỉ tiêu theo khoảng)", required=False)
    bonus_points = forms.DecimalField(
        label="Điểm thưởng khi vượt", min_value=0, initial=0, max_digits=7, decimal_places=2
    )
    penalty_points = forms.DecimalField(
        label="Điểm trừ khi không thực hiện", min_value=0, initial=0, max_digits=7, decimal_places=2
    )
    partial_credit = forms.BooleanField(label="Tính điểm theo tỷ lệ hoàn thành", required=False)
    points_good = forms.DecimalField(
        label="Điểm khi “hoàn thành tốt” (xếp loại)",
        min_value=0,
        required=False,
        max_digits=7,
        decimal_places=2,
    )
    points_done = forms.DecimalField(
        label="Điểm khi “hoàn thành” (xếp loại)",
        min_value=0,
        required=False,
        max_digits=7,
        decimal_places=2,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_key"].choices = measure_choices()


class ActivateForm(StyledFormMixin, forms.Form):
    signed_on = forms.DateField(label="Ngày ký kết", widget=DATE_WIDGET)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(StyledFormMixin, forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    file = UploadField(kind="document", label="Tệp minh chứng", required=False)
    note = forms.CharField(label="Mô tả", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("note") or "").strip():
            raise forms.ValidationError("Minh chứng cần một tệp hoặc một mô tả.")
        return data


class RatingForm(StyledFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label="Xếp loại", choices=[("", "—"), *Rating.choices], required=False
    )
    note = forms.CharField(label="Nhận xét", max_length=500, required=False)


class MeasureEntryForm(StyledFormMixin, forms.Form):
    measure_key = FigureKeyChoiceField(label="Chỉ số")
    on = forms.DateField(label="Ngày", widget=DATE_WIDGET)
    value = IntegerInputField(label="Giá trị")
    note = forms.CharField(label="Nội dung", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_key"].choices = measure_choices(manual_only=True)[1:]


class ProgressFilterForm(StyledFormMixin, forms.Form):
    as_of = forms.DateField(label="Tính đến ngày", required=False, widget=DATE_WIDGET)


# ======================================================================= commendations


def award_types_for(unit: Unit | None):
    """Award types a unit may record: its province's and those of every province."""
    qs = AwardType.objects.all()
    if unit is None:
        return qs
    root_id = unit.ancestor_ids[0] if unit.ancestor_ids else unit.pk
    code = Unit.objects.filter(pk=root_id).values_list("code", flat=True).first() or ""
    return qs.filter(Q(province_code="") | Q(province_code=code))


class DecisionForm(StyledFormMixin, forms.Form):
    award_type = forms.ModelChoiceField(
        label="Hình thức khen thưởng", queryset=AwardType.objects.all()
    )

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = award_types_for(unit)

    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200)
    number = forms.CharField(label="Số quyết định", max_length=60, help_text="Ví dụ: 15/QĐ-MTTQ")
    signed_on = forms.DateField(label="Ngày ký", widget=DATE_WIDGET)
    achievement_year = forms.IntegerField(label="Thành tích năm", min_value=2000, max_value=2100)
    summary = forms.CharField(label="Trích yếu", max_length=400)
    document = UploadField(
        kind="document", label="Văn bản quyết định (PDF, DOCX, ảnh)", required=False
    )


class RankingProposalForm(StyledFormMixin, forms.Form):
    award_type = forms.ModelChoiceField(
        label="Hình thức khen thưởng",
        queryset=AwardType.objects.exclude(recipient_kind="individual"),
    )
    top = IntegerInputField(label="Đề nghị các đơn vị xếp hạng từ 1 đến", min_value=1, initial=3)


class ProposalForm(StyledFormMixin, forms.Form):
    award_type = forms.ModelChoiceField(
        label="Hình thức khen thưởng", queryset=AwardType.objects.all()
    )
    year = forms.IntegerField(label="Thành tích năm", min_value=2000, max_value=2100)
    recipient_unit = forms.ModelChoiceField(
        label="Tập thể: Ủy ban MTTQ đơn vị", queryset=Unit.objects.none(), required=False
    )
    recipient_member_organisation = forms.ModelChoiceField(
        label="Tập thể: tổ chức thành viên",
        queryset=MemberOrganisation.objects.none(),
        required=False,
    )
    person_name = forms.CharField(label="Cá nhân: họ và tên", max_length=120, required=False)
    person_title = forms.CharField(
        label="Chức danh, đơn vị công tác", max_length=300, required=False
    )
    achievement = forms.CharField(label="Thành tích", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = award_types_for(unit)
        # The unit, its children and theirs: a district proposes a residential area too.
        self.fields["recipient_unit"].queryset = (
            Unit.objects.filter(Unit.subtree_q(unit.path), level__lte=unit.level + 2)
            .select_related("parent")
            .order_by("level", "path")
        )
        self.fields["recipient_unit"].label_from_instance = lambda u: (
            f"{u.name} ({u.parent.name})" if u.parent_id and u.pk != unit.pk else u.name
        )
        self.fields["recipient_member_organisation"].queryset = MemberOrganisation.objects.filter(
            unit=unit
        ).order_by("order")

    def clean(self):
        data = super().clean()
        given = [
            bool(data.get("recipient_unit")),
            bool(data.get("recipient_member_organisation")),
            bool((data.get("person_name") or "").strip()),
        ]
        if sum(given) != 1:
            raise forms.ValidationError(
                "Chọn đúng một người nhận: một đơn vị, một tổ chức thành viên hoặc một cá nhân."
            )
        return data


class AddProposalsForm(forms.Form):
    proposals = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queryset


# ========================================================================= conferences


class ConferenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Loại hội nghị", choices=ConferenceKind.choices)
    title = forms.CharField(label="Tên hội nghị", max_length=500)
    held_on = forms.DateField(label="Ngày", widget=DATE_WIDGET)
    starts_at = forms.TimeField(label="Giờ bắt đầu", required=False, widget=TIME_WIDGET)
    session = forms.ChoiceField(
        label="Buổi (nếu không rõ giờ)", choices=[("", "—"), *Session.choices], required=False
    )
    place = forms.CharField(label="Địa điểm", max_length=300, required=False)
    chair = forms.ModelChoiceField(label="Chủ trì", queryset=Person.objects.none(), required=False)
    chair_title = forms.CharField(label="Chức danh người chủ trì", max_length=300, required=False)
    summary = forms.CharField(
        label="Nội dung chính", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    key_task_year = forms.IntegerField(
        label="Phát động nhiệm vụ trọng tâm năm", min_value=2000, max_value=2100, required=False
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = persons_of(unit)


class AttendeeForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=120, required=False)
    title = forms.CharField(label="Chức danh / thành phần", max_length=300)
    headcount = IntegerInputField(
        label="Số người", min_value=1, initial=1, required=False, help_text="Để trống nếu không rõ."
    )
    is_guest = forms.BooleanField(label="Khách mời", required=False)


class AgendaForm(StyledFormMixin, forms.Form):
    content = forms.CharField(label="Nội dung", widget=forms.Textarea(attrs={"rows": 2}))
    speaker = forms.CharField(label="Người trình bày", max_length=300, required=False)


class ConferenceLinksForm(forms.Form):
    pledges = forms.ModelMultipleChoiceField(
        label="Giao ước ký kết", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    programs = forms.ModelMultipleChoiceField(
        label="Chương trình phối hợp ký kết",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.ModelMultipleChoiceField(
        label="Khen thưởng được trao",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pledges, programs, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledges"].queryset = pledges
        self.fields["programs"].queryset = programs
        self.fields["decisions"].queryset = decisions


class RecipientsForm(StyledFormMixin, forms.Form):
    """Many recipients of one decision: pasted lines, or an XLSX list."""

    lines = forms.CharField(
        label="Danh sách (mỗi dòng một tập thể hoặc cá nhân)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Dán từ Excel (các cột cách nhau bởi dấu tab) hoặc gõ, cột cách nhau bởi dấu “;”: "
            "Tên tập thể hoặc cá nhân; Chức danh / đơn vị công tác; Thành tích. "
            "Tên đơn vị, khu dân cư, tổ chức thành viên được nhận là tập thể; "
            "khu dân cư trùng tên thì ghi thêm đơn vị cấp trên trong ngoặc."
        ),
    )
    file = UploadField(
        kind="spreadsheet", label="Hoặc tải tệp Excel (.xlsx, cùng các cột)", required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("lines", "").strip() and not data.get("file"):
            raise forms.ValidationError("Dán danh sách hoặc chọn tệp Excel.")
        return data
