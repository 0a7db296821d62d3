from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from mattran.units.models import Unit

from .models import Grant
from .policy import Perm, policy_for


def unit_get_visible(*, user, pk: int, perm: str = Perm.VIEW) -> Unit:
    """The unit if `user` may `perm` it; 404 otherwise (never reveal that it exists)."""
    unit = (
        Unit.objects.filter(policy_for(user).unit_q(perm), pk=pk)
        .select_related("version", "parent")
        .first()
    )
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit


def grant_list_manageable(*, user) -> QuerySet[Grant]:
    """Grants on units the user administers."""
    return (
        Grant.objects.filter(policy_for(user).unit_q(Perm.ADMINISTER, prefix="unit__"))
        .select_related("user", "unit", "unit__version", "member_organisation")
        .order_by("unit__path", "user__username", "role")
    )
