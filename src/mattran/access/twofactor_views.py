from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from mattran.core.forms import StyledFormMixin

from .twofactor import (
    totp_confirmed_device,
    totp_device_confirm,
    totp_pending_device,
    totp_qr_svg,
    totp_secret_text,
    totp_verify,
    totp_wait_seconds,
    user_has_totp,
)

WAIT_MESSAGE = (
    "Bạn vừa nhập sai mã. Hãy đợi {seconds} giây rồi nhập mã mới đang hiện trên ứng dụng."
)


class TokenForm(StyledFormMixin, forms.Form):
    token = forms.RegexField(
        label="Mã xác thực (6 chữ số)",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Mã xác thực gồm đúng 6 chữ số."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = totp_confirmed_device(request.user)
    if device is None:
        return redirect("two_factor:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := totp_wait_seconds(device):
            form.add_error("token", WAIT_MESSAGE.format(seconds=wait))
        elif totp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        else:
            form.add_error(
                "token",
                "Mã không đúng, đã dùng hoặc đã hết hạn. Hãy nhập mã mới đang hiện trên ứng dụng.",
            )
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def enrol(request):
    # A confirmed device is replaced only from a session that proved it holds it,
    # so a stolen password alone cannot enrol the thief's phone.
    if user_has_totp(request.user) and not request.user.is_verified():
        return redirect("two_factor:verify")
    device = totp_pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := totp_wait_seconds(device):
            form.add_error("token", WAIT_MESSAGE.format(seconds=wait))
        elif totp_device_confirm(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, "Đã bật xác thực hai bước cho tài khoản của bạn.")
            return redirect(_next_url(request))
        else:
            form.add_error(
                "token", "Mã không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã mới."
            )
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret_text(device),
            "next": _next_url(request),
        },
    )
