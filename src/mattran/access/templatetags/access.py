"""{% may "edit" unit as may_edit %}: show a link or button only to who may follow it."""

from django import template

from mattran.access.policy import policy_for

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, perm: str, unit) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or unit is None:
        return False
    return policy_for(user).can(perm, unit)
