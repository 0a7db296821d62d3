"""The Django admin in Vietnamese, third-party packages included.

- Strings the packages mark for translation (django-axes, django-tasks, django-tasks-db)
  are translated in src/mattran/locale/vi/LC_MESSAGES/django.po (LOCALE_PATHS).
- Packages that mark none (django-otp, django-rest-knox) get their model and field
  names set here when the admin loads. Django's migrations read a model's original
  Meta options (`_meta.original_attrs`) and a field's original verbose name
  (`_verbose_name`), so no migration of those packages changes; help texts (which
  migrations do read) are replaced in the admin's forms instead.
- The apps' names, fieldset titles and the admin's own column names are set here too.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import display_for_field
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html

APP_NAMES = {
    "axes": "Đăng nhập sai và khóa tài khoản",
    "knox": "Khóa truy cập API",
    "otp_totp": "Xác thực hai bước",
    "otp_static": "Mã dự phòng xác thực hai bước",
    "django_tasks_database": "Công việc chạy nền",
    "django_tasks_db": "Công việc chạy nền",
    "auth": "Tài khoản và nhóm",
}

# (app label, model): (verbose name, {field: verbose name}) of models whose package
# marks no string for translation.
UNMARKED_MODELS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("otp_totp", "totpdevice"): (
        "thiết bị xác thực hai bước (TOTP)",
        {
            "id": "mã số",
            "user": "người dùng",
            "name": "tên thiết bị",
            "confirmed": "đã xác nhận",
            "key": "khóa bí mật",
            "step": "độ dài bước (giây)",
            "t0": "mốc bắt đầu đếm (Unix)",
            "digits": "số chữ số",
            "tolerance": "số bước lệch cho phép",
            "drift": "độ lệch đồng hồ (bước)",
            "last_t": "bước của mã đúng gần nhất",
            "throttling_failure_timestamp": "lần nhập sai gần nhất",
            "throttling_failure_count": "số lần nhập sai liên tiếp",
            "created_at": "tạo lúc",
            "last_used_at": "dùng gần nhất lúc",
        },
    ),
    ("otp_static", "staticdevice"): (
        "bộ mã dự phòng",
        {
            "id": "mã số",
            "user": "người dùng",
            "name": "tên",
            "confirmed": "đã xác nhận",
            "throttling_failure_timestamp": "lần nhập sai gần nhất",
            "throttling_failure_count": "số lần nhập sai liên tiếp",
            "created_at": "tạo lúc",
            "last_used_at": "dùng gần nhất lúc",
        },
    ),
    ("otp_static", "statictoken"): (
        "mã dự phòng",
        {"id": "mã số", "device": "bộ mã", "token": "mã"},
    ),
    ("knox", "authtoken"): (
        "khóa truy cập API",
        {
            "digest": "mã băm",
            "token_key": "đầu khóa",
            "user": "người dùng",
            "created": "tạo lúc",
            "expiry": "hết hạn lúc",
        },
    ),
}
UNMARKED_APPS = {app for app, _ in UNMARKED_MODELS}

# Help texts of those models' fields, shown under the admin's form fields.
HELP_TEXTS = {
    "user": "Người dùng sở hữu thiết bị.",
    "name": "Tên dễ nhận ra của thiết bị.",
    "confirmed": "Thiết bị đã sẵn sàng để dùng.",
    "key": "Khóa bí mật dạng hex, tối đa 40 byte.",
    "step": "Độ dài một bước thời gian, tính bằng giây.",
    "t0": "Thời điểm Unix bắt đầu đếm bước.",
    "digits": "Số chữ số của mã.",
    "tolerance": "Số bước thời gian trước hoặc sau được chấp nhận.",
    "drift": "Số bước đồng hồ của thiết bị lệch so với máy chủ.",
    "last_t": "Bước thời gian của mã đúng gần nhất; mã sau phải ở bước lớn hơn.",
    "throttling_failure_timestamp": "Thời điểm nhập sai gần nhất; trống nếu lần gần nhất đúng.",
    "throttling_failure_count": "Số lần nhập sai liên tiếp.",
    "created_at": "Ngày giờ thiết bị được tạo.",
    "last_used_at": "Ngày giờ thiết bị được dùng gần nhất.",
}

# Fieldset titles and column names the packages' admin classes write in English.
ADMIN_TEXTS = {
    "Identity": "Thông tin chung",
    "Timestamps": "Thời điểm",
    "Configuration": "Cấu hình",
    "State": "Trạng thái",
    "Throttling": "Hạn chế nhập sai",
    "QR Code": "Mã QR",
    "traceback": "chi tiết lỗi",
    "run after": "chạy sau",
}
# Columns that are methods or properties without a description (named after the code).
COLUMN_NAMES = {
    "qrcode_link": "Mã QR",
    "status": "Trạng thái",
    "expiration": "Hết hạn lúc",
    "task_name": "Công việc",
}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


# How the admin names one row of those models (titles, breadcrumbs, messages).
OBJECT_NAMES = {
    ("axes", "accessattempt"): lambda o: (
        f"Đăng nhập sai: {o.username or '(không tên)'}, {_when(o.attempt_time)}"
    ),
    ("axes", "accesslog"): lambda o: f"Đăng nhập: {o.username}, {_when(o.attempt_time)}",
    ("axes", "accessfailurelog"): lambda o: (
        f"Đăng nhập thất bại: {o.username}, {_when(o.attempt_time)}, từ {o.ip_address}"
        + (" (bị khóa)" if o.locked_out else "")
    ),
    ("knox", "authtoken"): lambda o: f"Khóa API {o.token_key}… của {o.user}",
    ("django_tasks_database", "dbtaskresult"): lambda o: (
        f"Công việc {o.task_path.rsplit('.', 1)[-1]} ({o.get_status_display().lower()})"
    ),
}


def _name_unmarked_models() -> None:
    for (app_label, model_name), (verbose, fields) in UNMARKED_MODELS.items():
        try:
            model = django_apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = verbose
        model._meta.verbose_name_plural = verbose
        for field in model._meta.get_fields():
            if field.name in fields and hasattr(field, "verbose_name"):
                field.verbose_name = fields[field.name]
    for label, name in APP_NAMES.items():
        try:
            django_apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for model in django_apps.get_models():
        if model._meta.app_label not in THIRD_PARTY_APPS:
            continue
        pk = model._meta.pk
        if pk.name == "id" and str(pk.verbose_name).lower() == "id":
            pk.verbose_name = "mã số"
    for (app_label, model_name), name in OBJECT_NAMES.items():
        try:
            model = django_apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model.__str__ = name


class VietnameseAdminMixin:
    """What a package's ModelAdmin writes in English, said in Vietnamese."""

    def get_fieldsets(self, request, obj=None):
        out = []
        for title, options in super().get_fieldsets(request, obj):
            options = {**options, "fields": self._shown(options.get("fields", ()))}
            out.append((ADMIN_TEXTS.get(str(title), title) if title else title, options))
        return out

    def _shown(self, names):
        """Read-only fields of the unmarked packages go through their `<name>_vi` column."""
        if self.model._meta.app_label not in UNMARKED_APPS:
            return list(names)
        return [f"{n}_vi" if isinstance(n, str) and hasattr(self, f"{n}_vi") else n for n in names]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.model._meta.app_label in UNMARKED_APPS:
            field.help_text = HELP_TEXTS.get(db_field.name, "")
        return field

    def get_readonly_fields(self, request, obj=None):
        # A read-only model field shows the model's help text: the unmarked packages'
        # is English, so those fields are shown through a column of the same label.
        return self._shown(super().get_readonly_fields(request, obj))

    def get_fields(self, request, obj=None):
        return self._shown(super().get_fields(request, obj))


def _readonly_column(model, name: str):
    field = model._meta.get_field(name)

    @admin.display(description=str(field.verbose_name).capitalize())
    def column(self, obj):
        return display_for_field(getattr(obj, name), field, self.get_empty_value_display())

    return column


@admin.display(description="Mã QR")
def _qrcode_link(self, device):
    """django-otp's column links the device's QR code page with the English word "qrcode"."""
    try:
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
    except NoReverseMatch:
        return ""
    return format_html('<a href="{}">Xem mã QR</a>', href)


def _vietnamese_admin(model, model_admin: admin.ModelAdmin) -> type:
    cls = type(model_admin)
    attrs: dict = {"__module__": __name__}
    for name in dir(cls):
        attr = getattr(cls, name, None)
        description = getattr(attr, "short_description", None)
        if callable(attr) and description is not None and str(description) in ADMIN_TEXTS:

            def method(self, obj, _f=attr):
                value = _f(self, obj)
                if isinstance(value, dt.datetime):  # else printed raw, in UTC
                    return formats.localize(timezone.template_localtime(value))
                return value

            method.short_description = ADMIN_TEXTS[str(description)]
            for extra in ("boolean", "admin_order_field", "empty_value_display"):
                if hasattr(attr, extra):
                    setattr(method, extra, getattr(attr, extra))
            attrs[name] = method
    for name, label in COLUMN_NAMES.items():
        if name in attrs:
            continue
        attr = getattr(cls, name, None)
        if callable(attr) and getattr(attr, "short_description", None) is None:

            def method(self, obj, _f=attr):
                return _f(self, obj)

            method.short_description = label
            attrs[name] = method
        elif isinstance(getattr(model, name, None), property):

            def prop(self, obj, _name=name):
                return getattr(obj, _name)

            prop.short_description = label
            attrs[name] = prop
    if hasattr(cls, "qrcode_link"):
        attrs["qrcode_link"] = _qrcode_link
    if model._meta.app_label in UNMARKED_APPS:
        readonly = set(getattr(cls, "readonly_fields", ()))
        for name in readonly:
            if name in {f.name for f in model._meta.get_fields()}:  # else the admin's own
                attrs[f"{name}_vi"] = _readonly_column(model, name)
        if getattr(cls, "search_help_text", None):
            attrs["search_help_text"] = "Tìm theo tên đăng nhập hoặc thư điện tử của người dùng."
    return type(f"Vietnamese{cls.__name__}", (VietnameseAdminMixin, cls), attrs)


class MattranAdminSite(admin.AdminSite):
    site_header = "mattran – Quản trị hệ thống"
    site_title = "mattran"
    index_title = "Quản trị hệ thống"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["models"].sort(key=lambda m: m["name"])
        apps.sort(key=lambda a: a["name"])
        return apps


THIRD_PARTY_APPS = {"axes", "knox", "otp_totp", "otp_static", "django_tasks_database"}


class MattranAdminConfig(AdminConfig):
    default_site = "mattran.core.admin_site.MattranAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module
        _name_unmarked_models()
        site = admin.site
        for model, model_admin in list(site._registry.items()):
            if model._meta.app_label in THIRD_PARTY_APPS:
                site.unregister(model)
                site.register(model, _vietnamese_admin(model, model_admin))
