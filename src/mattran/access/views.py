from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import fold
from mattran.units.models import MemberOrganisation

from . import services
from .forms import GrantForm
from .policy import Perm, policy_for
from .selectors import grant_list_manageable


@login_required
def grants(request):
    policy = policy_for(request.user)
    if not policy.has_any(Perm.ADMINISTER):
        raise Http404
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["unit_code"].strip()
        candidates = policy.units(Perm.ADMINISTER).filter(code=key) or policy.units(
            Perm.ADMINISTER
        ).filter(search_key=fold(key))
        units = list(candidates.select_related("version").order_by("-version__valid_from")[:2])
        mo = None
        if not units:
            form.add_error(
                "unit_code", f"Không tìm thấy đơn vị '{key}' trong phạm vi bạn quản trị."
            )
        elif data["member_organisation"].strip():
            mo = MemberOrganisation.objects.filter(
                unit__in=units[:1], name__iexact=data["member_organisation"].strip()
            ).first()
            if mo is None:
                form.add_error("member_organisation", "Không tìm thấy tổ chức thành viên này.")
        if not form.errors:
            try:
                services.grant_create(
                    actor=request.user,
                    user=data["username"],
                    unit=units[0],
                    role=data["role"],
                    member_organisation=mo,
                )
            except UserFacingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Đã cấp quyền.")
                return redirect("access:grants")
    return render(
        request,
        "access/grants.html",
        {"form": form, "grants": grant_list_manageable(user=request.user)},
    )


@login_required
@require_POST
def grant_revoke(request, pk: int):
    grant = get_object_or_404(grant_list_manageable(user=request.user), pk=pk)
    try:
        services.grant_revoke(actor=request.user, grant=grant)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã thu hồi quyền.")
    return redirect("access:grants")
