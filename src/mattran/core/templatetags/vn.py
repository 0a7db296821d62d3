"""{{ count|number }}: counts grouped the Vietnamese way ("3.251", "4.756 khoản")."""

from django import template

from mattran.core.vietnamese import format_number

register = template.Library()


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_number(int(value))
    except (TypeError, ValueError):
        return str(value)
