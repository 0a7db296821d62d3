from django.contrib import admin

from mattran.core.admin import AuditedAdmin

from .models import Lineage, MemberOrganisation, Person, Position, StructureVersion, Term, Unit


@admin.register(StructureVersion)
class StructureVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_from", "valid_to"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    """Names and codes are edited here; the tree is not: a unit's records, summaries
    and reports follow its materialised path, which a new parent would not move
    (a reorganisation is a new structure version with lineage)."""

    list_display = ["name", "code", "kind", "level", "version", "parent"]
    list_filter = ["version", "level"]
    search_fields = ["name", "code", "search_key"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["path"] if obj is None else ["path", "parent", "version", "level"]

    def audit_unit(self, obj):
        return obj

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lineage)
class LineageAdmin(AuditedAdmin):
    list_display = ["from_unit", "to_unit", "kind"]
    raw_id_fields = ["from_unit", "to_unit"]
    list_filter = ["kind", "from_unit__version", "to_unit__version"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    search_fields = ["full_name", "search_key"]


@admin.register(MemberOrganisation)
class MemberOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "head"]
    raw_id_fields = ["unit", "head"]
    search_fields = ["name"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "unit", "term"]
    list_filter = ["role", "term"]
    raw_id_fields = ["unit", "person"]
