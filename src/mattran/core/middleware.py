"""Vietnamese error pages also when DEBUG is on (the demo runs with DEBUG).

With DEBUG off, Django calls the handler404/handler403 views (core.views). With
DEBUG on, it would show its English technical pages instead; a user of the demo
must not see them, so this middleware answers a missing page or a refusal with
the same Vietnamese pages. The JSON API keeps its own error bodies.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import views

_TECHNICAL_MARK = b"DEBUG = True"


class VietnameseErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/api/")
            and not getattr(response, "streaming", False)
            and _TECHNICAL_MARK in response.content
        ):
            # A URL that matches no pattern: Django's technical 404 page.
            return views.error_404(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG or request.path.startswith("/api/"):
            return None  # production: Django calls handler404/handler403
        if isinstance(exception, Http404):
            return views.error_404(request, exception)
        if isinstance(exception, PermissionDenied):
            return views.error_403(request, exception)
        return None
