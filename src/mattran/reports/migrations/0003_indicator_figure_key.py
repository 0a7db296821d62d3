"""Indicators store only a figure key of the figures layer (issue 10).

Existing rows are converted from their old definition (source, measure,
activity types, data element, operands, provider key); then the old columns
go; 0004 installs what the catalogue has that the database lacks.
"""

from django.db import migrations

import mattran.figures.fields

PROVIDERS = {
    "funds.vi_bien_dao.mobilised": "funds.mobilised(fund=sea_islands)",
    "funds.vi_nguoi_ngheo.disbursed": "funds.spent(fund=poor)",
    "funds.vi_nguoi_ngheo.gifts": "funds.spent(fund=poor,measure=quantity,purpose=gifts)",
    "funds.vi_nguoi_ngheo.houses_repaired": (
        "funds.spent(fund=poor,measure=quantity,purpose=house_repair)"
    ),
    "funds.transfers_to_parent": "funds.transfers(direction=up)",
}


def _key(ind) -> str:
    if ind.source == "activity":
        types = "|".join(sorted(ind.activity_types.values_list("code", flat=True)))
        return f"activities.{ind.measure}(types={types})" if types else ""
    if ind.source == "mediation":
        return f"mediation.{ind.measure}"
    if ind.source == "aggregate":
        return f"aggregates.value(element={ind.data_element.code})" if ind.data_element_id else ""
    if ind.source == "computed":
        ops = {ind.operand_a.measure if ind.operand_a_id else "", ind.operand_b.measure if ind.operand_b_id else ""}
        if ind.measure == "ratio" and ops == {"resolved", "received"}:
            return "mediation.rate"
        return ""
    return PROVIDERS.get(ind.provider_key, "")


def convert(apps, schema_editor):
    Indicator = apps.get_model("reports", "Indicator")
    for ind in Indicator.objects.all():
        key = _key(ind)
        ind.figure_key = key
        if not key:  # a definition the figures layer has no family for: kept, switched off
            ind.active = False
            ind.description = (ind.description + "\nChưa có mã số liệu tương ứng.").strip()
        ind.save(update_fields=["figure_key", "active", "description"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_catalogue")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="figure_key",
            field=mattran.figures.fields.FigureKeyField(
                default="",
                help_text=(
                    "Số liệu của lớp số liệu, ví dụ activities.count(types=tuyen_truyen), "
                    "mediation.rate, funds.spent(fund=poor,purpose=gifts,measure=quantity)."
                ),
                max_length=200,
                verbose_name="mã số liệu",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.RemoveField(model_name="indicator", name="activity_types"),
        migrations.RemoveField(model_name="indicator", name="data_element"),
        migrations.RemoveField(model_name="indicator", name="operand_a"),
        migrations.RemoveField(model_name="indicator", name="operand_b"),
        migrations.RemoveField(model_name="indicator", name="measure"),
        migrations.RemoveField(model_name="indicator", name="provider_key"),
        migrations.RemoveField(model_name="indicator", name="source"),
    ]
