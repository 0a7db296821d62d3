from django import template

from mattran.core.vietnamese import format_money, format_number

from ..scoring import format_points

register = template.Library()


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def fmt(measure, value):
    """A value formatted by its measure ("52.300.000 đ", "3 nhà")."""
    if measure is None:
        return "—" if value is None else value
    return measure.format(value)


@register.filter
def points(value):
    if value in (None, ""):  # a missing attribute renders as "" in templates
        return "—"
    return format_points(value)


@register.filter
def money(value):
    return "—" if value is None else format_money(int(value))


@register.filter
def number(value):
    return "—" if value is None else format_number(int(value))


@register.filter
def get_index(sequence, index):
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return None
