from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mattran.core.errors import ImportValidationError, UserFacingError
from mattran.core.vietnamese import fold
from mattran.units.models import MemberOrganisation

from . import importers, services
from .forms import GrantForm, UserBulkForm, UserCreateForm
from .middleware import MUST_CHANGE_SESSION_KEY
from .policy import Perm, policy_for
from .selectors import grant_list_manageable, users_manageable


def _admin_unit(policy, key: str):
    """A unit the user administers, by code or name (the newest version first)."""
    key = key.strip()
    candidates = policy.units(Perm.ADMINISTER).filter(code=key) or policy.units(
        Perm.ADMINISTER
    ).filter(search_key=fold(key))
    return candidates.select_related("version").order_by("-version__valid_from").first()


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


# ------------------------------------------------------------------------ users


@login_required
def users(request):
    """The office's users: create one (roles in the same step), list, deactivate."""
    policy = policy_for(request.user)
    if not policy.has_any(Perm.ADMINISTER):
        raise Http404
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = _admin_unit(policy, d["unit_code"])
        if unit is None:
            form.add_error(
                "unit_code", f"Không tìm thấy đơn vị “{d['unit_code']}” trong phạm vi bạn quản trị."
            )
        else:
            try:
                new = services.user_create(
                    actor=request.user,
                    unit=unit,
                    full_name=d["full_name"],
                    username=d["username"],
                    email=d["email"],
                    phone=d["phone"],
                    roles=d["roles"],
                    handover=d["handover"],
                )
            except UserFacingError as exc:
                form.add_error(None, exc.message)
            else:
                # Shown once, on this response only: never stored in the session.
                return render(request, "access/user_created.html", _handover(request, [new], unit))
    return render(
        request,
        "access/users.html",
        {"form": form, "users": users_manageable(user=request.user)[:300]},
    )


def _handover(request, created, unit=None) -> dict:
    rows = []
    for new in created:
        link = ""
        if new.handover == services.HANDOVER_LINK:
            link = request.build_absolute_uri(reverse("access:first_login", args=[new.secret]))
        rows.append({"user": new.user, "link": link, "password": "" if link else new.secret})
    return {"rows": rows, "unit": unit}


@login_required
def users_bulk(request):
    policy = policy_for(request.user)
    if not policy.has_any(Perm.ADMINISTER):
        raise Http404
    if request.GET.get("tai") == "1":
        response = HttpResponse(
            importers.users_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-nguoi-dung.xlsx"'
        return response
    form = UserBulkForm(request.POST or None, request.FILES or None)
    row_errors, total = [], 0
    if request.method == "POST" and form.is_valid():
        try:
            created = importers.users_import(actor=request.user, source=form.cleaned_data["file"])
        except ImportValidationError as exc:
            row_errors, total = exc.errors, exc.total
        except UserFacingError as exc:
            form.add_error("file", exc.message)
        else:
            return render(request, "access/user_created.html", _handover(request, created))
    return render(
        request,
        "access/users_bulk.html",
        {"form": form, "row_errors": row_errors, "total": total},
    )


@login_required
@require_POST
def user_deactivate(request, pk: int):
    user = get_object_or_404(users_manageable(user=request.user), pk=pk)
    try:
        services.user_deactivate(
            actor=request.user, user=user, reason=request.POST.get("ly_do", "")
        )
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã khóa tài khoản {user.username}; lịch sử làm việc vẫn giữ.")
    return redirect("access:users")


def first_login(request, token: str):
    """A first-login link: the new user sets their own password, then is signed in."""
    account = services.first_login_account(token)
    if account is None:
        return render(request, "access/first_login.html", {"invalid": True}, status=404)
    form = SetPasswordForm(account.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_set_first(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            request.user = AnonymousUser()
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(MUST_CHANGE_SESSION_KEY, None)
            messages.success(request, "Đã đặt mật khẩu. Chào mừng bạn!")
            return redirect("home")
    return render(request, "access/first_login.html", {"form": form, "account": account})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; a temporary password stops being one when it is changed."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        self.request.session.pop(MUST_CHANGE_SESSION_KEY, None)
        return response
