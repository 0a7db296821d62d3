from django.contrib import admin

from mattran.core.admin import AuditedAdmin

from .models import Indicator, ReportItem, ReportSection, ReportTemplate, ValidationRule


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["name", "code", "figure_key", "value_format", "order", "active"]
    list_filter = ["value_format", "active"]
    search_fields = ["name", "code", "figure_key"]


class ReportItemInline(admin.TabularInline):
    model = ReportItem
    extra = 1
    fields = ["order", "level", "indicator", "sentence"]


@admin.register(ReportSection)
class ReportSectionAdmin(AuditedAdmin):
    list_display = ["heading", "template", "order"]
    list_filter = ["template"]
    inlines = [ReportItemInline]


class ReportSectionInline(admin.TabularInline):
    model = ReportSection
    extra = 0
    show_change_link = True


@admin.register(ReportTemplate)
class ReportTemplateAdmin(AuditedAdmin):
    list_display = ["name", "code", "is_default", "due_days"]
    filter_horizontal = ["chart_indicators"]
    inlines = [ReportSectionInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "severity", "active"]
    list_filter = ["kind", "severity", "active"]
