"""One normaliser for every text a user sends, one cleaner for every text written out.

In: `normalise_text` is applied to every text field of every form (Django's
CharField and its subclasses) and of every API serializer (DRF's CharField), and by
the importers to every text cell of an uploaded file: NFC, line ends as "\\n", and
control characters refused with a Vietnamese message (tab and newline only in
multi-line fields: a Textarea, a model TextField in the API).

Out: rows written before this check, or by paths that predate it (the append-only
ledger cannot be corrected in place), may still hold control characters, which XML
forbids. `printable` removes them; the XLSX (openpyxl) and DOCX (python-docx) writers
pass every string through it (installed once, in `install`), and the RSS feeds call it.

`install` runs from CoreConfig.ready(); tests/core/test_text.py holds the class tests.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# C0 controls except tab/newline/CR, DEL, C1 controls, lone surrogates, and the two
# noncharacters XML 1.0 forbids.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029]")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def normalise_text(value: str, *, multiline: bool = False) -> str:
    """NFC with "\\n" line ends; ValidationError (Vietnamese) on a control character,
    or on a tab or line break where only one line is expected."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    bad = _FORBIDDEN.search(value)
    if bad:
        raise ValidationError(
            f"Có ký tự điều khiển không được phép ({_describe(bad.group())}) ở vị trí "
            f"{bad.start() + 1}; hãy gõ lại hoặc dán dưới dạng văn bản thuần.",
            code="control_character",
        )
    if not multiline:
        brk = _LINE_BREAKS.search(value)
        if brk:
            raise ValidationError(
                "Trường này chỉ nhận một dòng: bỏ dấu xuống dòng hoặc tab "
                f"({_describe(brk.group())}) ở vị trí {brk.start() + 1}.",
                code="line_break",
            )
    return value


def printable(value: str) -> str:
    """The text with every character XML forbids removed (for documents and feeds)."""
    if not value:
        return value
    return _FORBIDDEN.sub("", unicodedata.normalize("NFC", value))


# NUL and lone surrogates are refused by the validators Django and DRF already put on
# every CharField, with their own messages; the hooks leave those values to them.
_LEFT_TO_VALIDATORS = re.compile("[\x00\ud800-\udfff]")

_installed = False


def install() -> None:
    """Put `normalise_text` on every form and API text field and `printable` on every
    XLSX cell and DOCX run. Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    _install_forms()
    _install_api()
    _install_openpyxl()
    _install_docx()


def _install_forms() -> None:
    from django import forms

    original = forms.CharField.to_python

    def to_python(self, value):
        value = original(self, value)
        if isinstance(value, str) and value and not _LEFT_TO_VALIDATORS.search(value):
            value = normalise_text(value, multiline=isinstance(self.widget, forms.Textarea))
        return value

    forms.CharField.to_python = to_python


def _install_api() -> None:
    try:
        from rest_framework import fields
        from rest_framework.exceptions import ValidationError as APIValidationError
    except ImportError:  # pragma: no cover - the API app is always installed
        return

    original = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        value = original(self, data)
        if isinstance(value, str) and value and not _LEFT_TO_VALIDATORS.search(value):
            multiline = self.style.get("base_template") == "textarea.html"
            try:
                value = normalise_text(value, multiline=multiline)
            except ValidationError as exc:
                raise APIValidationError(exc.messages) from None
        return value

    fields.CharField.to_internal_value = to_internal_value


def _install_openpyxl() -> None:
    from openpyxl.cell.cell import Cell

    original = Cell.check_string

    def check_string(self, value):
        if isinstance(value, str):
            value = printable(value)
        return original(self, value)

    Cell.check_string = check_string


def _install_docx() -> None:
    from docx.oxml.text.run import _RunContentAppender

    original = _RunContentAppender.append_to_run_from_text.__func__

    def append_to_run_from_text(cls, r, text):
        return original(cls, r, printable(text) if isinstance(text, str) else text)

    _RunContentAppender.append_to_run_from_text = classmethod(append_to_run_from_text)
