"""The change log as people read it: Vietnamese action names, field labels and values.

Events store machine codes (``submission.approve``, ``decided_by: 2``); this
module turns a page of events into rows of words: the action's name, each
changed field's verbose name, related rows' names instead of ids (one query per
related model for the whole page), choice labels, dates as dd/mm/yyyy and
instants in local time (Asia/Ho_Chi_Minh, 24-hour).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from .vietnamese import format_money, format_number

# Every action a service records, in words (the filter offers these).
ACTION_LABELS: dict[str, str] = {
    "activity.create": "Ghi hoạt động",
    "activity.update": "Sửa hoạt động",
    "activity.delete": "Xóa hoạt động",
    "mediation.create": "Ghi vụ việc hòa giải",
    "mediation.update": "Sửa vụ việc hòa giải",
    "mediation.delete": "Xóa vụ việc hòa giải",
    "aggregate.update": "Nhập số liệu tổng hợp",
    "aggregate.delete": "Xóa số liệu tổng hợp",
    "submission.submit": "Nộp báo cáo",
    "submission.approve": "Duyệt báo cáo",
    "submission.return": "Trả lại báo cáo",
    "submission.reopen": "Mở khóa báo cáo",
    "fund.create": "Mở quỹ",
    "fund_account.create": "Thêm tài khoản quỹ",
    "ledger.receipt": "Ghi thu",
    "ledger.disbursement": "Ghi chi",
    "ledger.transfer_out": "Chuyển tiền đi",
    "ledger.transfer_in": "Nhận tiền chuyển đến",
    "ledger.reverse": "Đảo bút toán",
    "ledger.identify": "Xác định người ủng hộ",
    "ledger.identify_bulk": "Xác định người ủng hộ (nhiều khoản)",
    "ledger.classify": "Phân loại khoản chi",
    "transfer.send": "Gửi điều chuyển",
    "transfer.confirm": "Xác nhận nhận điều chuyển",
    "statement.import": "Nhập sao kê",
    "unit.create": "Thêm đơn vị",
    "unit.rename": "Đổi tên đơn vị",
    "units.import": "Nhập danh mục đơn vị",
    "structure_version.create": "Thêm phiên bản địa giới",
    "lineage.create": "Ghi quan hệ kế thừa đơn vị",
    "lineage.import": "Nhập quan hệ kế thừa đơn vị",
    "member_organisation.create": "Thêm tổ chức thành viên",
    "term.create": "Thêm nhiệm kỳ",
    "person.create": "Thêm người",
    "position.create": "Giao chức danh",
    "position.end": "Kết thúc chức danh",
    "grant.create": "Phân quyền",
    "grant.update": "Sửa phân quyền",
    "grant.revoke": "Thu hồi quyền",
    "user.two_factor_enrol": "Đăng ký xác thực hai bước",
    "api_token.create": "Cấp khóa API",
    "api_token.revoke": "Thu hồi khóa API",
    "key_task.create": "Thêm nhiệm vụ trọng tâm",
    "key_task.update": "Sửa nhiệm vụ trọng tâm",
    "key_task.move": "Đổi thứ tự nhiệm vụ trọng tâm",
    "key_task.delete": "Xóa nhiệm vụ trọng tâm",
    "program.create": "Lập chương trình phối hợp",
    "program.draft_contents": "Soạn nội dung chương trình phối hợp",
    "program.item_add": "Thêm nội dung chương trình phối hợp",
    "program.item_delete": "Xóa nội dung chương trình phối hợp",
    "program.signatory_add": "Thêm bên ký chương trình phối hợp",
    "program.signatory_delete": "Bỏ bên ký chương trình phối hợp",
    "program.sign": "Ký chương trình phối hợp",
    "program.document_attach": "Đính kèm văn bản chương trình phối hợp",
    "pledge.create": "Lập giao ước thi đua",
    "pledge.activate": "Phát động giao ước thi đua",
    "pledge.lock": "Khóa giao ước thi đua",
    "pledge.reopen": "Mở lại giao ước thi đua",
    "cluster.create": "Lập cụm thi đua",
    "criterion.create": "Thêm tiêu chí thi đua",
    "criterion.update": "Sửa tiêu chí thi đua",
    "criterion.delete": "Xóa tiêu chí thi đua",
    "criterion.targets_set": "Đặt chỉ tiêu thi đua",
    "measure_entry.create": "Ghi kết quả đo tiêu chí",
    "measure_entry.delete": "Xóa kết quả đo tiêu chí",
    "evidence.add": "Thêm minh chứng",
    "evidence.delete": "Xóa minh chứng",
    "sheet.create": "Lập bảng chấm điểm",
    "sheet.submit": "Nộp bảng chấm điểm",
    "sheet.verify": "Thẩm định bảng chấm điểm",
    "sheet.return": "Trả lại bảng chấm điểm",
    "score.self": "Tự chấm điểm",
    "score.verify": "Thẩm định điểm",
    "unit_rating.set": "Xếp loại đơn vị",
    "proposal.create": "Đề nghị khen thưởng",
    "proposal.reject": "Không chấp thuận đề nghị khen thưởng",
    "decision.create": "Ra quyết định khen thưởng",
    "commendation.add": "Thêm người/tập thể được khen",
    "conference.create": "Lập hội nghị",
    "conference.update": "Sửa hội nghị",
    "conference.links_set": "Gắn văn bản hội nghị",
    "conference.agenda_add": "Thêm chương trình hội nghị",
    "conference.agenda_delete": "Xóa chương trình hội nghị",
    "conference.attendee_add": "Thêm đại biểu hội nghị",
    "conference.attendee_delete": "Xóa đại biểu hội nghị",
    "article.create": "Viết tin",
    "article.update": "Sửa tin",
    "article.publish": "Đăng tin",
    "article.unpublish": "Gỡ tin",
    "article.photo_add": "Thêm ảnh cho tin",
    "article.photo_delete": "Xóa ảnh của tin",
    "reading.confirm": "Xác nhận số liệu đọc từ báo cáo cũ",
    "demo.records": "Nạp dữ liệu mẫu",
    "demo.submissions": "Nạp báo cáo mẫu",
}

# Labels for fields whose models give no Vietnamese verbose name.
FIELD_LABELS = {
    "submitted_by": "người nộp",
    "decided_by": "người xử lý",
    "created_by": "người ghi",
    "updated_by": "người cập nhật",
    "created_at": "tạo lúc",
    "updated_at": "cập nhật lúc",
    "confirmed_by": "người xác nhận",
    "sent_by": "người gửi",
    "user": "tài khoản",
    "status": "trạng thái",
}

EMPTY = "(trống)"
# Bookkeeping fields nobody needs to read in a change log.
HIDDEN_FIELDS = {"id", "path", "unit_path", "search_key", "party_key", "fingerprint", "figures"}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def action_choices() -> list[tuple[str, str]]:
    return sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class EventRow:
    event: object
    action: str
    at: str
    changes: list[Change]

    @property
    def is_creation(self) -> bool:
        """Every field went from nothing to a value: show the values, not "(trống) → …"."""
        return bool(self.changes) and all(c.before == EMPTY for c in self.changes)


def _model_for(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    """The model field stored under `name` (a column or a many-to-many), else None."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        for f in model._meta.concrete_fields:
            if f.attname == name:
                return f
        return None
    return field if isinstance(field, models.Field) else None  # not a reverse relation


def _is_reverse(model, name: str) -> bool:
    try:
        return model is not None and not isinstance(model._meta.get_field(name), models.Field)
    except FieldDoesNotExist:
        return False


def _local(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def _plain(field, value, names: dict) -> str:
    text = _plain_full(field, value, names)
    return text if len(text) <= 160 else text[:159].rstrip() + "…"


def _plain_full(field, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"#{value}")
    if isinstance(field, models.ManyToManyField) and isinstance(value, list):
        return ", ".join(names.get((field.related_model, v), f"#{v}") for v in value) or EMPTY
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _local(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        money = field is not None and field.name in ("amount", "value_money", "balance")
        return format_money(value) if money else format_number(value)
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def describe(events) -> list[EventRow]:
    """Rows of words for a page of AuditEvents (a handful of queries, whatever the page)."""
    events = list(events)
    wanted: dict[type, set] = defaultdict(set)
    parsed = []
    for e in events:
        model = _model_for(e.object_type)
        fields = []
        for name, before, after in e.changes:
            field = _field(model, name)
            if name in HIDDEN_FIELDS or (field is not None and field.name in HIDDEN_FIELDS):
                continue
            if field is None and _is_reverse(model, name):
                continue  # a list of related rows: each has its own events
            fields.append((name, field, before, after))
            if isinstance(field, models.ForeignKey | models.ManyToManyField):
                for v in (before, after):
                    for pk in v if isinstance(v, list) else [v]:
                        if pk not in (None, ""):
                            wanted[field.related_model].add(pk)
        parsed.append((e, fields))
    names = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = _display(obj)
    rows = []
    for e, fields in parsed:
        changes = [
            Change(
                _label(name, field),
                _plain(field, before, names),
                _plain(field, after, names),
            )
            for name, field, before, after in fields
        ]
        # A change that reads the same in words (a time stamp moved within the minute).
        changes = [c for c in changes if c.before != c.after]
        at = timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M")
        rows.append(EventRow(e, action_label(e.action), at, changes))
    return rows


def _label(name: str, field) -> str:
    verbose = str(field.verbose_name) if field is not None else ""
    if not verbose or verbose == field.name.replace("_", " "):
        return FIELD_LABELS.get(name, verbose or name.replace("_", " "))
    return verbose


def _display(obj) -> str:
    full = getattr(obj, "get_full_name", None)
    if callable(full):
        return full() or str(obj)
    return str(obj)
