"""{% period_picker period %}: choose a period in words, or type it in Vietnamese."""

from django import template

from mattran.core.periods import period_picker as picker_context

register = template.Library()


@register.inclusion_tag("_period_picker.html")
def period_picker(period, action="", hidden_name="", hidden_value="", label="Kỳ"):
    return {
        **picker_context(period),
        "action": action,
        "hidden_name": hidden_name,
        "hidden_value": hidden_value,
        "label": label,
    }
