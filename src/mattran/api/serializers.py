"""Request and response shapes of the API (they are also its OpenAPI schema).

Inputs are validated here (types, lengths, ranges, ids resolved against what
the caller may see); the business rules stay in the services they call.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import serializers

from mattran.activities.models import ActivityType
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.core.vietnamese import MAX_AMOUNT, NumberError, parse_integer
from mattran.funds.models import Channel, FundKind, PartyKind
from mattran.units.models import Level

from .errors import ApiSerializer

MAX_ID = 2**63 - 1  # ids are 64-bit; larger numbers are refused before any query
MAX_INT32 = 2**31 - 1


class JsonCharField(serializers.CharField):
    """Text in a JSON body must be a JSON string (DRF would take 0 for "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonIntegerField(serializers.IntegerField):
    """A number in a JSON body must be a JSON number (DRF would take "5" for 5)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NumberField(serializers.IntegerField):
    """A count or amount: a JSON integer, or text read by the one Vietnamese parser.

    The same parser as every form field and XLSX cell (core.parse_integer):
    "1.234.567", "1 234 567" and "1,234,567" are 1234567; 1.5, "1,234" (ambiguous),
    "²", "１２３", negatives, true/false and values over the maximum are refused
    with its Vietnamese message. The schema stays "integer".
    """

    def __init__(self, *, currency: bool = False, **kwargs):
        self.currency = currency
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        try:
            value = parse_integer(
                data,
                max_value=self.max_value if self.max_value is not None else MAX_INT32,
                currency=self.currency,
            )
        except NumberError as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from exc
        if value is None:
            self.fail("invalid")
        return value  # min_value is then checked by DRF's own validator


def id_field(*, json: bool = False, **kwargs) -> serializers.IntegerField:
    cls = JsonIntegerField if json else serializers.IntegerField
    return cls(min_value=1, max_value=MAX_ID, **kwargs)


def id_list_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=id_field(json=True), max_length=500, required=False, **kwargs
    )


_YEAR = r"(19[0-9]{2}|20[0-9]{2}|2100)"
_DAY = _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
PERIOD_PATTERN = (
    rf"^({_YEAR}(-?(0[1-9]|1[0-2])|-?[Qq][1-4]|-[Hh][12]|[Ss][12]|-9[Mm])?|{_DAY}\.\.{_DAY})$"
)


class PeriodField(serializers.CharField):
    """A period code (2023, 2023-09, 2023-Q3, 2023-H1, 2023-9M, 2023-01-01..2023-09-30)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "validators",
            [
                RegexValidator(
                    PERIOD_PATTERN,
                    message="Kỳ không hợp lệ. Dùng: 2023, 2023-09, 2023-Q3, 2023-H1, 2023-9M "
                    "hoặc 2023-01-01..2023-09-30; năm từ 1900 đến 2100.",
                )
            ],
        )
        kwargs.setdefault(
            "help_text",
            "Kỳ: 2023, 2023-09, 2023-Q3, 2023-H1, 2023-9M hoặc 2023-01-01..2023-09-30 "
            "(ví dụ 2023-9M)",
        )
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty) -> Period:
        text = super().run_validation(data)
        if text is None or text == "":
            return text
        try:
            return Period.parse(text)
        except UserFacingError as exc:
            raise serializers.ValidationError(exc.message) from exc


# ---------------------------------------------------------------------- errors


class ErrorSerializer(ApiSerializer):
    status = serializers.IntegerField(help_text="Mã trạng thái HTTP")
    code = serializers.CharField(help_text="Mã lỗi máy đọc: invalid, not_found, throttled…")
    message = serializers.CharField(help_text="Thông báo tiếng Việt")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Lỗi theo từng trường (tên trường → các thông báo)",
    )


# ------------------------------------------------------------------------ units


class UnitQuerySerializer(ApiSerializer):
    version = serializers.CharField(
        required=False, max_length=20, help_text="Mã phiên bản địa giới, ví dụ 2023 hoặc 2025-07"
    )
    code = serializers.CharField(
        required=False, max_length=20, help_text="Mã đơn vị hành chính, ví dụ 006"
    )
    parent = id_field(required=False, help_text="Chỉ các đơn vị trực thuộc đơn vị này")
    level = serializers.ChoiceField(choices=Level.choices, required=False, help_text="Cấp 1–4")
    q = serializers.CharField(
        required=False, max_length=100, help_text="Tìm theo tên (không phân biệt dấu)"
    )
    date = serializers.DateField(
        required=False,
        help_text="Chỉ các đơn vị của phiên bản địa giới có hiệu lực vào ngày này (YYYY-MM-DD)",
    )


class UnitSerializer(ApiSerializer):
    id = serializers.IntegerField()
    version = serializers.CharField(source="version.code", help_text="Mã phiên bản địa giới")
    version_name = serializers.CharField(source="version.name")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    kind = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField()


# ---------------------------------------------------------------------- figures


class FiguresQuerySerializer(ApiSerializer):
    period = PeriodField()
    structure = serializers.CharField(
        required=False,
        max_length=20,
        help_text="Mã phiên bản địa giới của báo cáo (mặc định: phiên bản của đơn vị)",
    )


class NationFiguresQuerySerializer(ApiSerializer):
    period = PeriodField()
    structure = serializers.CharField(
        required=False,
        max_length=20,
        help_text="Mã phiên bản địa giới (mặc định: phiên bản có hiệu lực cuối kỳ)",
    )


class PeriodSerializer(ApiSerializer):
    code = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class RateSerializer(ApiSerializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    percent = serializers.FloatField(
        allow_null=True, help_text="Tỷ lệ chưa làm tròn; `text` là số in trên báo cáo"
    )


class FigureValueSerializer(ApiSerializer):
    value = serializers.IntegerField(
        allow_null=True, help_text="Số hoặc số tiền (đồng); null với tỷ lệ hoặc khi không có"
    )
    rate = RateSerializer(allow_null=True, help_text="Với chỉ tiêu tỷ lệ")
    text = serializers.CharField(help_text="Như in trên báo cáo: 9.856, 2.366.435.000 đ, 93,5%")


class FigureRowSerializer(FigureValueSerializer):
    bucket = serializers.CharField(help_text="self (cấp này), mã đơn vị con, hoặc other")
    unit = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()


class FigureSerializer(ApiSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit_label = serializers.CharField()
    format = serializers.CharField(help_text="number, percent hoặc money")
    available = serializers.BooleanField()
    is_new = serializers.BooleanField(
        help_text="Chỉ tiêu thêm sau khi báo cáo được duyệt: số liệu hiện nay, không có trong "
        "số liệu đã duyệt"
    )
    total = FigureValueSerializer()
    previous = FigureValueSerializer(help_text="Cùng kỳ năm trước")
    own = FigureValueSerializer(help_text="Tại cơ quan của đơn vị này")
    children = FigureValueSerializer(help_text="Cộng các đơn vị trực thuộc")
    by_unit = FigureRowSerializer(many=True)


class NarrativeSerializer(ApiSerializer):
    heading = serializers.CharField()
    text = serializers.CharField()


class FailureSerializer(ApiSerializer):
    message = serializers.CharField()
    is_error = serializers.BooleanField()
    row = serializers.CharField()


class SubmissionSerializer(ApiSerializer):
    status = serializers.CharField()
    status_label = serializers.CharField()


class FigureChangeSerializer(ApiSerializer):
    name = serializers.CharField()
    approved = serializers.CharField(help_text="Như in trên báo cáo đã duyệt")
    live = serializers.CharField(help_text="Số liệu hiện nay")


class ApprovedSerializer(ApiSerializer):
    decided_at = serializers.DateTimeField(allow_null=True)
    changes = FigureChangeSerializer(
        many=True, help_text="Chỉ tiêu có số liệu hiện nay khác số liệu đã duyệt"
    )


class ReportSerializer(ApiSerializer):
    unit = UnitSerializer(allow_null=True, help_text="null: báo cáo toàn quốc (/figures/)")
    structure = serializers.CharField(help_text="Phiên bản địa giới của báo cáo")
    title = serializers.CharField()
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    figures = FigureSerializer(many=True)
    narrative = NarrativeSerializer(many=True)
    failures = FailureSerializer(many=True)
    submission = SubmissionSerializer(allow_null=True)
    approved = ApprovedSerializer(
        allow_null=True,
        help_text="Báo cáo đã duyệt: số liệu và lời văn là số đã duyệt (chỉ tiêu thêm sau có "
        "is_new); null khi chưa duyệt (số liệu hiện nay)",
    )


# ------------------------------------------------------------------- activities


class ActivityTypeSerializer(ApiSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    uses_attendance = serializers.BooleanField()
    uses_subject = serializers.BooleanField()
    subject_label = serializers.CharField()
    uses_supervised_units = serializers.BooleanField()


class ActivityQuerySerializer(ApiSerializer):
    period = PeriodField(required=False)
    type = serializers.SlugField(required=False, max_length=40, help_text="Mã loại hoạt động")
    only_this_unit = serializers.BooleanField(
        required=False, default=False, help_text="Không lấy các đơn vị trực thuộc"
    )
    q = serializers.CharField(required=False, max_length=100, help_text="Tìm theo tên, nội dung")


class ActivitySerializer(ApiSerializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    type = serializers.CharField(source="type.code")
    type_name = serializers.CharField(source="type.name")
    date = serializers.DateField()
    title = serializers.CharField()
    notes = serializers.SerializerMethodField(
        help_text="Rỗng với báo cáo viên của tổ chức thành viên khác (ghi chú có thể chứa "
        "thông tin cá nhân)"
    )
    attendance = serializers.IntegerField(allow_null=True)
    subject = serializers.CharField()
    member_organisation = serializers.IntegerField(source="member_organisation_id", allow_null=True)
    supervised_units = serializers.SerializerMethodField()
    co_organisers = serializers.SerializerMethodField()
    has_attachment = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_notes(self, obj) -> str:
        from mattran.activities.selectors import notes_visible

        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not notes_visible(
            user=user, unit=obj.unit, member_organisation_id=obj.member_organisation_id
        ):
            return ""
        return obj.notes

    def get_supervised_units(self, obj) -> list[int]:
        return sorted(u.pk for u in obj.supervised_units.all())

    def get_co_organisers(self, obj) -> list[int]:
        return sorted(o.pk for o in obj.co_organisers.all())

    def get_has_attachment(self, obj) -> bool:
        return bool(obj.attachment)


class ActivityCreateSerializer(ApiSerializer):
    type = JsonSlugField(max_length=40, help_text="Mã loại hoạt động (xem /activity-types/)")
    date = serializers.DateField()
    title = JsonCharField(max_length=300)
    notes = JsonCharField(required=False, allow_blank=True, max_length=10000, default="")
    attendance = NumberField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT32, default=None
    )
    subject = JsonCharField(required=False, allow_blank=True, max_length=500, default="")
    supervised_units = id_list_field(help_text="Mã (id) các đơn vị trực thuộc được giám sát")
    co_organisers = id_list_field(help_text="Mã (id) các tổ chức thành viên phối hợp")
    member_organisation = id_field(
        json=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="Tổ chức thành viên báo cáo",
    )

    def validate_type(self, value: str) -> ActivityType:
        found = ActivityType.objects.filter(code=value, active=True).first()
        if found is None:
            raise serializers.ValidationError(
                f"Không có loại hoạt động mã “{value}” đang dùng (xem /api/v1/activity-types/)."
            )
        return found


# ------------------------------------------------------------------------ funds


class FundQuerySerializer(ApiSerializer):
    unit = id_field(required=False, help_text="Chỉ các quỹ của đơn vị này và cấp dưới")


class FundSerializer(ApiSerializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=FundKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    is_public = serializers.BooleanField()
    balance = serializers.IntegerField(help_text="Số dư (đồng)")


class ReceiptCreateSerializer(ApiSerializer):
    amount = NumberField(
        currency=True,
        min_value=1,
        max_value=MAX_AMOUNT,
        help_text="Số tiền, số nguyên đồng (số JSON, hoặc chuỗi “1.005.000”)",
    )
    booked_on = serializers.DateField(help_text="Ngày thu")
    party_name = JsonCharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Người nộp"
    )
    party_kind = serializers.ChoiceField(
        choices=PartyKind.choices, required=False, default=PartyKind.UNKNOWN
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.BANK)
    reference = JsonCharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Số tham chiếu"
    )
    memo = JsonCharField(max_length=2000, required=False, allow_blank=True, default="")
    account = id_field(
        json=True, required=False, allow_null=True, default=None, help_text="Tài khoản của quỹ (id)"
    )


class LedgerEntrySerializer(ApiSerializer):
    id = serializers.IntegerField()
    fund = serializers.IntegerField(source="fund_id")
    fund_name = serializers.CharField(source="fund.name")
    kind = serializers.CharField()
    amount = serializers.IntegerField(help_text="Số tiền (đồng), luôn dương; `kind` cho biết chiều")
    booked_on = serializers.DateField()
    party_name = serializers.CharField()
    party_kind = serializers.CharField()
    channel = serializers.CharField()
    reference = serializers.CharField()
    memo = serializers.CharField()
    account = serializers.IntegerField(source="account_id", allow_null=True)
    voucher = serializers.CharField(
        source="voucher_code", help_text="Số phiếu thu, ví dụ PT-2023-0001"
    )
    created_at = serializers.DateTimeField()


# ----------------------------------------------------------------------- public


class PublicFundSerializer(ApiSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=FundKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    unit_name = serializers.CharField(source="unit.name")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)


class DonationQuerySerializer(ApiSerializer):
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Tên người ủng hộ hoặc nội dung (từ 3 ký tự; không phân biệt dấu)",
    )
    amount = NumberField(
        currency=True,
        required=False,
        min_value=1,
        max_value=MAX_AMOUNT,
        help_text="Số tiền (đồng): 2000000, 2.000.000 hoặc 2 000 000",
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, max_length=100, help_text="Số tham chiếu")
    fund = id_field(required=False, help_text="Chỉ quỹ này")


class DonationSerializer(ApiSerializer):
    booked_on = serializers.DateField()
    amount = serializers.IntegerField()
    donor = serializers.CharField()
    memo = serializers.CharField(help_text="Nội dung đã che số tài khoản, số điện thoại")
    fund = serializers.IntegerField(source="fund_id")
    fund_name = serializers.CharField(source="fund")
    unit_name = serializers.CharField(source="unit")
    voucher = serializers.CharField()
    reversed = serializers.BooleanField(help_text="Khoản đã bị đảo (ghi nhầm, đã sửa)")


class DonationResultSerializer(ApiSerializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField(help_text="Trả về tối đa chừng này khoản, mới nhất trước")
    results = DonationSerializer(many=True)
