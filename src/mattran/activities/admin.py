from django.contrib import admin

from mattran.core.admin import AuditedAdmin

from .models import ActivityType, DataElement


@admin.register(ActivityType)
class ActivityTypeAdmin(AuditedAdmin):
    """The catalogue: administrators add types without code."""

    list_display = [
        "name",
        "code",
        "uses_attendance",
        "uses_subject",
        "uses_supervised_units",
        "order",
        "active",
    ]
    list_editable = ["order", "active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # records refer to types; retire a type with "đang dùng" instead


@admin.register(DataElement)
class DataElementAdmin(AuditedAdmin):
    list_display = ["name", "code", "unit_label", "period_type", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False
