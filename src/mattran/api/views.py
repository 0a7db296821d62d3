"""The API views: thin, like the web's. Reads go through the apps' selectors (what the
caller may see; anything else answers 404), writes through their services (which
check permission again, validate, and write the audit event in the same transaction).
"""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.activities import selectors as activity_selectors
from mattran.activities import services as activity_services
from mattran.activities.models import ActivityType
from mattran.core.converters import IdConverter
from mattran.core.errors import UserFacingError
from mattran.funds import selectors as fund_selectors
from mattran.funds import services as fund_services
from mattran.funds.models import EntryKind, FundAccount
from mattran.ledgerlog import selectors as log_selectors
from mattran.portal import selectors as portal_selectors
from mattran.portal.cached import ledger_cached
from mattran.reports import selectors as report_selectors
from mattran.units.models import MemberOrganisation, Unit

from . import idempotency
from . import serializers as s
from .pagination import ApiPagination
from .selectors import report_payload, unit_list_visible
from .throttling import LedgerLogRateThrottle, PortalRateThrottle


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Dữ liệu không hợp lệ (lỗi theo từng trường trong `fields`)",
        401: "Thiếu mã truy cập hoặc mã sai, hết hạn, đã thu hồi",
        403: "Được xem nhưng không có quyền ghi",
        404: "Không có, hoặc ngoài phạm vi được xem",
        422: "Khóa Idempotency-Key đã dùng cho một yêu cầu khác",
        429: "Quá nhiều yêu cầu",
    }
    return {c: OpenApiResponse(s.ErrorSerializer, description=descriptions[c]) for c in codes}


def _query(serializer_class, request) -> dict:
    # A plain dict, not the QueryDict: DRF reads a QueryDict like an HTML form, where an
    # empty value means "not given"; here "?parent=" is as invalid as the schema says.
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "page_size")}
    query = serializer_class(data=params)
    # A parameter the operation does not take is refused, not ignored: a misspelt
    # filter ("only_this_units") would otherwise answer with other figures than asked.
    known = set(query.fields) | {api_settings.URL_FORMAT_OVERRIDE}
    if unknown := sorted(set(params) - known):
        takes = ", ".join(sorted(query.fields)) or "không có"
        raise exceptions.ValidationError(
            {
                name or "(không tên)": [
                    f"Thao tác này không nhận tham số “{name}”; tham số nhận được: {takes}."
                ]
                for name in unknown
            }
        )
    query.is_valid(raise_exception=True)
    return query.validated_data


def _field_error(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


# ------------------------------------------------------------------------ units


@extend_schema(tags=["Đơn vị"])
class UnitList(generics.ListAPIView):
    """Các đơn vị người dùng được xem, theo thứ tự cây."""

    serializer_class = s.UnitSerializer
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[s.UnitQuerySerializer],
        responses={200: s.UnitSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return unit_list_visible(
            user=self.request.user, **_query(s.UnitQuerySerializer, self.request)
        )


@extend_schema(tags=["Đơn vị"], responses={200: s.UnitSerializer, **errors(401, 404)})
class UnitDetail(APIView):
    """Một đơn vị (404 nếu không có hoặc ngoài phạm vi được xem)."""

    def get(self, request, pk: int):
        return Response(s.UnitSerializer(unit_get_visible(user=request.user, pk=pk)).data)


@extend_schema(
    tags=["Báo cáo"],
    parameters=[s.FiguresQuerySerializer],
    responses={200: s.ReportSerializer, **errors(400, 401, 404)},
)
class UnitFigures(APIView):
    """Số liệu của một đơn vị trong một kỳ: cộng dồn cả cây đơn vị trực thuộc, như báo cáo.

    Tính bằng đúng hàm dựng báo cáo của trang web (`reports.selectors.report_build`):
    chỉ tính các bản ghi người dùng được xem; các bản ghi của phiên bản địa giới
    khác được chuyển qua quan hệ kế thừa đơn vị.
    """

    def get(self, request, pk: int):
        unit = unit_get_visible(user=request.user, pk=pk)
        query = _query(s.FiguresQuerySerializer, request)
        version = None
        if code := query.get("structure"):
            try:
                version = report_selectors.version_get(code=code)
            except UserFacingError as exc:
                raise _field_error("structure", exc.message) from exc
            if unit.version_id != version.pk:
                raise _field_error(
                    "structure",
                    f"{unit.name} thuộc phiên bản địa giới “{unit.version.code}”, "
                    f"không thuộc “{version.code}”; hãy hỏi đơn vị của phiên bản đó.",
                )
        report = report_selectors.report_build(
            user=request.user, unit=unit, period=query["period"], version=version
        )
        return Response(s.ReportSerializer(report_payload(report)).data)


@extend_schema(
    tags=["Báo cáo"],
    parameters=[s.NationFiguresQuerySerializer],
    responses={200: s.ReportSerializer, **errors(400, 401, 404)},
)
class NationFigures(APIView):
    """Số liệu toàn quốc trong một kỳ: mọi tỉnh, thành phố của một phiên bản địa giới,
    như trang báo cáo toàn quốc (`unit` là null; `by_unit` theo tỉnh, thành phố).

    Chỉ người có quyền xem mọi tỉnh, thành phố của phiên bản đó mới xem được; người
    khác nhận 404 như với một đơn vị ngoài phạm vi được xem.
    """

    def get(self, request):
        query = _query(s.NationFiguresQuerySerializer, request)
        if code := query.get("structure"):
            try:
                version = report_selectors.version_get(code=code)
            except UserFacingError as exc:
                raise _field_error("structure", exc.message) from exc
        else:
            try:
                version = report_selectors.version_default(period=query["period"])
            except UserFacingError as exc:
                raise _field_error("structure", exc.message) from exc
        report_selectors.nation_visible(user=request.user, version=version)
        report = report_selectors.report_build(
            user=request.user, unit=None, period=query["period"], version=version
        )
        return Response(s.ReportSerializer(report_payload(report)).data)


# ------------------------------------------------------------------- activities


@extend_schema(
    tags=["Hoạt động"], responses={200: s.ActivityTypeSerializer(many=True), **errors(401)}
)
class ActivityTypeList(APIView):
    """Danh mục loại hoạt động đang dùng (mã dùng khi ghi hoạt động)."""

    def get(self, request):
        types = ActivityType.objects.filter(active=True).order_by("order", "name")
        return Response(s.ActivityTypeSerializer(types, many=True).data)


def _with_relations(qs):
    return qs.prefetch_related(
        Prefetch("supervised_units", queryset=Unit.objects.only("pk")),
        Prefetch("co_organisers", queryset=MemberOrganisation.objects.only("pk")),
    )


@extend_schema(tags=["Hoạt động"])
class UnitActivities(generics.GenericAPIView):
    """Hoạt động của một đơn vị (và các đơn vị trực thuộc), mới nhất trước; ghi hoạt động mới."""

    serializer_class = s.ActivitySerializer
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[s.ActivityQuerySerializer],
        responses={200: s.ActivitySerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, pk: int):
        unit = unit_get_visible(user=request.user, pk=pk)
        query = _query(s.ActivityQuerySerializer, request)
        atype = None
        if code := query.get("type"):
            atype = ActivityType.objects.filter(code=code).first()
            if atype is None:
                raise _field_error("type", f"Không có loại hoạt động mã “{code}”.")
        records = activity_selectors.activity_list_visible(
            user=request.user,
            unit=unit,
            type=atype,
            period=query.get("period"),
            only_this_unit=query["only_this_unit"],
            query=query.get("q", ""),
        )
        page = self.paginate_queryset(_with_relations(records))
        return self.get_paginated_response(
            s.ActivitySerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=s.ActivityCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: s.ActivitySerializer, **errors(400, 401, 403, 404, 422)},
        examples=[
            OpenApiExample(
                "Tuyên truyền",
                request_only=True,
                value={
                    "type": "tuyen_truyen",
                    "date": "2023-09-14",
                    "title": "Tuyên truyền Ngày hội Đại đoàn kết toàn dân tộc",
                    "attendance": 120,
                    "notes": "Tổ dân phố số 3",
                },
            )
        ],
    )
    @idempotency.idempotent
    def post(self, request, pk: int):
        """Ghi một hoạt động (như trang “Ghi hoạt động”; không kèm tệp)."""
        unit = unit_get_visible(user=request.user, pk=pk)
        data = s.ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        problems: dict[str, list[str]] = {}

        def resolve(field: str, qs, ids: list[int], what: str) -> list:
            found = {o.pk: o for o in qs.filter(pk__in=ids)}
            missing = [str(i) for i in ids if i not in found]
            if missing:
                problems[field] = [f"Không có {what} mã {', '.join(missing)}."]
            return [found[i] for i in ids if i in found]

        supervised = resolve(
            "supervised_units",
            Unit.objects.filter(parent=unit),
            d.get("supervised_units", []),
            f"đơn vị trực thuộc {unit.name}",
        )
        organisations = activity_selectors.member_organisations_for(unit=unit)
        co_organisers = resolve(
            "co_organisers",
            organisations,
            d.get("co_organisers", []),
            f"tổ chức thành viên của {unit.name} hoặc cấp trên",
        )
        member_org = None
        if d["member_organisation"] is not None:
            found = resolve(
                "member_organisation",
                organisations,
                [d["member_organisation"]],
                f"tổ chức thành viên của {unit.name} hoặc cấp trên",
            )
            member_org = found[0] if found else None
        if problems:
            raise exceptions.ValidationError(problems)
        if not activity_services.can_record(request.user, unit, member_org):
            raise exceptions.PermissionDenied(f"Bạn không có quyền ghi hoạt động của {unit.name}.")
        record = activity_services.activity_record_create(
            actor=request.user,
            unit=unit,
            type=d["type"],
            date=d["date"],
            title=d["title"],
            notes=d["notes"],
            attendance=d["attendance"],
            subject=d["subject"],
            supervised_units=supervised,
            co_organisers=co_organisers,
            member_organisation=member_org,
        )
        record = activity_selectors.activity_get_visible(user=request.user, pk=record.pk)
        return Response(
            s.ActivitySerializer(record, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["Hoạt động"], responses={200: s.ActivitySerializer, **errors(401, 404)})
class ActivityDetail(APIView):
    """Một hoạt động (404 nếu không có hoặc ngoài phạm vi được xem)."""

    def get(self, request, pk: int):
        return Response(
            s.ActivitySerializer(
                activity_selectors.activity_get_visible(user=request.user, pk=pk),
                context={"request": request},
            ).data
        )


# ------------------------------------------------------------------------ funds


@extend_schema(tags=["Quỹ"])
class FundList(generics.GenericAPIView):
    """Các quỹ người dùng được xem, với số dư."""

    serializer_class = s.FundSerializer
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[s.FundQuerySerializer],
        responses={200: s.FundSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request):
        query = _query(s.FundQuerySerializer, request)
        unit = None
        if query.get("unit"):
            unit = unit_get_visible(user=request.user, pk=query["unit"])
        funds = fund_selectors.fund_list_with_balances(user=request.user, unit=unit)
        page = self.paginate_queryset(funds)
        return self.get_paginated_response(s.FundSerializer(page, many=True).data)


@extend_schema(tags=["Quỹ"])
class FundReceipts(APIView):
    @extend_schema(
        request=s.ReceiptCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: s.LedgerEntrySerializer, **errors(400, 401, 403, 404, 422)},
        examples=[
            OpenApiExample(
                "Ủng hộ chuyển khoản",
                request_only=True,
                value={
                    "amount": 1005000,
                    "booked_on": "2023-09-14",
                    "party_name": "Nguyễn Thị Hoà",
                    "party_kind": "person",
                    "channel": "bank",
                    "reference": "FT23257001",
                    "memo": "Ung ho quy Vi nguoi ngheo",
                },
            )
        ],
    )
    @idempotency.idempotent
    def post(self, request, pk: int):
        """Ghi một khoản thu (phiếu thu đánh số theo quỹ và năm), như trang “Ghi thu”."""
        fund = fund_selectors.fund_get_visible(user=request.user, pk=pk)
        data = s.ReceiptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        account = None
        if d["account"] is not None:
            account = FundAccount.objects.filter(fund=fund, pk=d["account"]).first()
            if account is None:
                raise _field_error("account", f"Không có tài khoản mã {d['account']} của quỹ này.")
        if not policy_for(request.user).can(Perm.EDIT, fund.unit):
            raise exceptions.PermissionDenied(f"Bạn không có quyền ghi thu tại {fund.unit.name}.")
        entry = fund_services.receipt_create(
            actor=request.user,
            fund=fund,
            amount=d["amount"],
            booked_on=d["booked_on"],
            party_name=d["party_name"],
            party_kind=d["party_kind"],
            channel=d["channel"],
            reference=d["reference"],
            memo=d["memo"],
            account=account,
        )
        return Response(s.LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["Quỹ"], responses={200: s.LedgerEntrySerializer, **errors(401, 404)})
class ReceiptDetail(APIView):
    """Một khoản thu (404 nếu không có hoặc ngoài phạm vi được xem)."""

    def get(self, request, pk: int):
        entry = fund_selectors.entry_get_visible(user=request.user, pk=pk)
        if entry.kind != EntryKind.RECEIPT:
            raise exceptions.NotFound("Không tìm thấy khoản thu.")
        return Response(s.LedgerEntrySerializer(entry).data)


# ----------------------------------------------------------------------- public


@extend_schema(
    tags=["Công khai"], auth=[], responses={200: s.PublicFundSerializer(many=True), **errors(429)}
)
class PublicFundList(APIView):
    """Các quỹ công khai (không cần đăng nhập)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PortalRateThrottle]

    def get(self, request):
        return Response(s.PublicFundSerializer(portal_selectors.public_funds(), many=True).data)


@extend_schema(
    tags=["Công khai"],
    auth=[],
    parameters=[s.DonationQuerySerializer],
    responses={200: s.DonationResultSerializer, **errors(400, 429)},
)
class PublicDonations(APIView):
    """Tra cứu khoản ủng hộ trong sổ quỹ công khai (không cần đăng nhập; giới hạn theo IP).

    Cần ít nhất tên (từ 3 ký tự), số tiền hoặc số tham chiếu. Nội dung chuyển khoản
    đã được che số tài khoản và số điện thoại; không trả về số tài khoản.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PortalRateThrottle]

    def get(self, request):
        d = _query(s.DonationQuerySerializer, request)
        query = portal_selectors.DonationQuery(
            name=(d.get("q") or "").strip(),
            amount=d.get("amount"),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            reference=d.get("reference") or "",
            fund_id=d.get("fund"),
        )
        results: list[dict] = []
        if not query.is_empty:
            # Cached like the portal's lookup, by the ledger's version.
            results = ledger_cached(
                "api-lookup",
                (query.cache_key(),),
                lambda: portal_selectors.donation_search(query=query),
            )
        body = {"count": len(results), "limit": portal_selectors.MAX_RESULTS, "results": results}
        return Response(s.DonationResultSerializer(body).data)


# ------------------------------------------------------------ public ledger log


def _int_param(request, name: str, *, required: bool = True) -> int | None:
    value = request.query_params.get(name, "")
    if not value and not required:
        return None
    # ASCII digits below 2**63, as a BIGINT holds them (int() would also take "-1",
    # " 1" or Arabic-Indic digits; a larger number overflows in the query).
    if not re.fullmatch(IdConverter.regex, value):
        raise _field_error(name, "Cần một số nguyên không âm, tối đa 18 chữ số.")
    return int(value)


class _LedgerLogView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LedgerLogRateThrottle]


@extend_schema(tags=["Sổ cái công khai"], responses={200: OpenApiTypes.OBJECT, **errors(429)})
class LedgerLogHeads(_LedgerLogView):
    """Mọi đầu cây đã ký (kích thước, gốc, thời điểm, chữ ký Ed25519) và các khóa công khai.

    Chữ ký phủ các byte: `mattran so-cai v1\\n<size>\\n<root hex>\\n<timestamp ms>\\n`.
    Xem docs/ledger-log.md.
    """

    def get(self, request):
        return Response(log_selectors.log_info())


@extend_schema(
    tags=["Sổ cái công khai"],
    parameters=[
        OpenApiParameter("start", int, required=True, description="lá đầu (tính từ 0)"),
        OpenApiParameter("end", int, required=True, description="lá cuối + 1 (tối đa 1.000 lá)"),
    ],
    responses={200: OpenApiTypes.OBJECT, **errors(400, 429)},
)
class LedgerLogLeaves(_LedgerLogView):
    """Các lá [start, end): dữ liệu công khai hiện tại của dòng sổ và giá trị băm đã ghi vào cây."""

    def get(self, request):
        start, end = _int_param(request, "start"), _int_param(request, "end")
        return Response({"leaves": log_selectors.leaves_range(start, end)})


@extend_schema(
    tags=["Sổ cái công khai"],
    parameters=[
        OpenApiParameter("entry", int, required=True, description="mã bút toán"),
        OpenApiParameter("size", int, description="kích thước cây (mặc định: đầu cây mới nhất)"),
    ],
    responses={200: OpenApiTypes.OBJECT, **errors(400, 429)},
)
class LedgerLogInclusion(_LedgerLogView):
    """Bằng chứng một bút toán nằm trong cây (RFC 6962 §2.1.1)."""

    def get(self, request):
        return Response(
            log_selectors.inclusion_public(
                entry_id=_int_param(request, "entry"),
                size=_int_param(request, "size", required=False),
            )
        )


@extend_schema(
    tags=["Sổ cái công khai"],
    parameters=[
        OpenApiParameter("first", int, required=True, description="kích thước cây trước"),
        OpenApiParameter("second", int, required=True, description="kích thước cây sau"),
    ],
    responses={200: OpenApiTypes.OBJECT, **errors(400, 429)},
)
class LedgerLogConsistency(_LedgerLogView):
    """Bằng chứng cây sau mở rộng cây trước, không sửa gì (RFC 6962 §2.1.2)."""

    def get(self, request):
        return Response(
            log_selectors.consistency_public(
                first=_int_param(request, "first"), second=_int_param(request, "second")
            )
        )


# ------------------------------------------------------------------------- docs


def docs(request):
    """Swagger UI from the drf-spectacular-sidecar package (no CDN), started by a static script."""
    return render(request, "api/docs.html")
