"""{{ count|number }}: counts grouped the Vietnamese way ("3.251", "4.756 khoản");
{{ ms|epoch_ms }}: a signed time stamp as local time."""

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


@register.filter
def epoch_ms(value) -> str:
    """A signed time stamp (milliseconds since 1970, UTC) as local time, 24-hour:
    "07/12/2026 19:57:25"."""
    import datetime as dt

    from django.utils import timezone

    try:
        moment = dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(value)
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")
