"""The Django admin in Vietnamese, including the apps and models of third-party
packages (django-axes, django-rest-knox, django-otp, django-tasks-db) that ship
no Vietnamese names. Display only: the models' own verbose names are not
touched, so no migration of those packages changes."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

APP_NAMES = {
    "axes": "Đăng nhập sai và khóa tài khoản",
    "knox": "Khóa truy cập API",
    "otp_totp": "Xác thực hai bước",
    "otp_static": "Mã dự phòng xác thực hai bước",
    "django_tasks_database": "Công việc chạy nền",
    "django_tasks_db": "Công việc chạy nền",
    "auth": "Tài khoản và nhóm",
}
MODEL_NAMES = {
    ("axes", "accessattempt"): "Lần đăng nhập sai",
    ("axes", "accessfailurelog"): "Nhật ký đăng nhập sai",
    ("axes", "accesslog"): "Nhật ký đăng nhập",
    ("knox", "authtoken"): "Khóa truy cập API",
    ("otp_totp", "totpdevice"): "Thiết bị xác thực (TOTP)",
    ("otp_static", "staticdevice"): "Bộ mã dự phòng",
    ("django_tasks_database", "dbtaskresult"): "Kết quả công việc chạy nền",
    ("django_tasks_db", "dbtaskresult"): "Kết quả công việc chạy nền",
}


class MattranAdminSite(admin.AdminSite):
    site_header = "mattran – Quản trị hệ thống"
    site_title = "mattran"
    index_title = "Quản trị hệ thống"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            label = app["app_label"]
            app["name"] = APP_NAMES.get(label, app["name"])
            for model in app["models"]:
                key = (label, model["object_name"].lower())
                model["name"] = MODEL_NAMES.get(key, model["name"])
            app["models"].sort(key=lambda m: m["name"])
        apps.sort(key=lambda a: a["name"])
        return apps


class MattranAdminConfig(AdminConfig):
    default_site = "mattran.core.admin_site.MattranAdminSite"
