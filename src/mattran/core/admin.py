from django.contrib import admin
from django.db import transaction

from .audit import audit_record, snapshot
from .models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    """A model changed in the admin is audited as a service's change is (who, what,
    before, after), in the same transaction: the audit trail is also how an approval
    tells that what its report reads changed (reports.services._changed_since).
    Inline rows are audited too. Actions: "<model>.admin_create|update|delete", or
    those of `audit_actions` (verb -> action) where the app's services name them."""

    audit_actions: dict[str, str] = {}

    def audit_unit(self, obj):
        """The unit the change belongs to (None: reference data)."""
        return getattr(obj, "unit", None)

    def _audit(self, request, obj, verb: str, before=None, after=None) -> None:
        audit_record(
            actor=request.user,
            action=self.audit_actions.get(verb, f"{obj._meta.model_name}.admin_{verb}"),
            obj=obj,
            unit=self.audit_unit(obj),
            before=before,
            after=after,
        )

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "update" if change else "create", before, snapshot(obj))

    @transaction.atomic
    def delete_model(self, request, obj):
        self._audit(request, obj, "delete", before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @transaction.atomic
    def save_formset(self, request, form, formset, change):
        befores = {
            f.instance.pk: snapshot(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            self._audit(request, obj, "delete", before=snapshot(obj))
        for obj in formset.new_objects:
            self._audit(request, obj, "create", after=snapshot(obj))
        for obj, _ in formset.changed_objects:
            self._audit(request, obj, "update", befores.get(obj.pk), snapshot(obj))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "unit", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action", "actor__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
