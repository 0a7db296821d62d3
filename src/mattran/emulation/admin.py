from django.contrib import admin

from .models import AwardType


@admin.register(AwardType)
class AwardTypeAdmin(admin.ModelAdmin):
    """Reference data: administrators may add award types (e.g. a province's certificate)."""

    list_display = ["name", "code", "recipient_kind", "order"]
    prepopulated_fields = {"code": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return False
