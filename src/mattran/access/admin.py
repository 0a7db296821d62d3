from django.contrib import admin
from django.db import transaction

from mattran.core.audit import audit_record, snapshot

from .models import Grant


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Superusers manage grants here too; every change is audited like the app's."""

    list_display = ["user", "role", "unit", "member_organisation", "granted_at"]
    list_filter = ["role", "unit__version"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    raw_id_fields = ["user", "unit", "member_organisation"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        before = snapshot(Grant.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="grant.update" if change else "grant.create",
            obj=obj,
            unit=obj.unit,
            before=before,
            after=snapshot(obj),
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        audit_record(
            actor=request.user, action="grant.revoke", obj=obj, unit=obj.unit, before=snapshot(obj)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
