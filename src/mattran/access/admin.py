from django.contrib import admin

from mattran.core.admin import AuditedAdmin

from .models import Grant


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    """Superusers manage grants here too; every change is audited like the app's."""

    audit_actions = {"create": "grant.create", "update": "grant.update", "delete": "grant.revoke"}

    list_display = ["user", "role", "unit", "member_organisation", "granted_at"]
    list_filter = ["role", "unit__version"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    raw_id_fields = ["user", "unit", "member_organisation"]

    def has_module_permission(self, request):
        return request.user.is_superuser
