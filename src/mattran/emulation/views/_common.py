"""Helpers shared by the emulation pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from mattran.core.errors import UserFacingError


def _this_year() -> int:
    return dt.date.today().year  # noqa: DTZ011 - a calendar year, not an instant


def _download(file_field, name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn trên máy chủ") from None
    return FileResponse(handle, as_attachment=True, filename=name or file_field.name)


def _form_page(request, *, form, title: str, back: str, unit=None, multipart=False, intro=""):
    return render(
        request,
        "emulation/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "unit": unit,
            "multipart": multipart,
            "intro": intro,
        },
    )


def form_view(
    request,
    *,
    form,
    save: Callable[[dict], Any],
    success: str,
    done: Callable[[Any], str] | str,
    title: str,
    back: str,
    unit=None,
    multipart: bool = False,
    intro: str = "",
):
    """The create and edit pages' one pattern: on a valid POST, `save(cleaned_data)` calls
    the action's one service; its refusal (UserFacingError) is shown on the form, else
    `success` is flashed and the page redirects to `done` (a URL, or a function of what
    `save` returned). GET, or an invalid form: the form page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(done(result) if callable(done) else done)
    return _form_page(
        request, form=form, title=title, back=back, unit=unit, multipart=multipart, intro=intro
    )
