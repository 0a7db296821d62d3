from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from mattran.core.health import run_checks


def home(request):
    if request.user.is_authenticated:
        return redirect("reports:home")  # what is due, returned or waiting, per role
    return redirect("login")


@never_cache
def health(request):
    """Database, cache and job-queue checks for load balancers: 200 or 503."""
    ok, checks = run_checks()
    body = {"status": "ok" if ok else "error", **{k: v["ok"] for k, v in checks.items()}}
    body["checks"] = checks
    return JsonResponse(body, status=200 if ok else 503)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    """A form without a valid CSRF token: nothing was written (HTTP 403), in Vietnamese."""
    return render(request, "403_csrf.html", status=403)
