"""Django's form renderer, with the commonest widget templates rendered in Python.

Every ``{{ form.field }}`` renders Django's widget template through the template
engine: for a ``<select>``, one ``{% include %}`` per ``<option>`` (the activity
form's and the list filter's type and unit choices: 30-45 % of those pages' CPU,
issue 16's profile). ``FastFormRenderer`` produces the same HTML, byte for byte,
for Django's own ``input``-family, ``select`` (with ``select_option``) and
``textarea`` templates in plain Python; every other template (and a project or app
that overrides one of these names) goes through the engine as before.
``tests/core/test_form_renderer.py`` compares the two renderings widget by widget.

It holds no state of its own besides Django's engine (built once, thread-safe), so
one instance serves every thread.
"""

from __future__ import annotations

from pathlib import Path

import django
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeData, mark_safe

W = "django/forms/widgets/"
# Templates that are nothing but {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    W + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "color.html",
        "checkbox.html",
        "file.html",
    )
)
SELECT = W + "select.html"
SELECT_OPTION = W + "select_option.html"
TEXTAREA = W + "textarea.html"
FAST_TEMPLATES = INPUT_TEMPLATES | {SELECT, TEXTAREA}

_CONTEXT = Context(autoescape=True)  # read-only: autoescape on, use_tz default


def _out(value) -> str:
    """``{{ value }}``: localized and escaped as the template engine does."""
    return render_value_in_context(value, _CONTEXT)


def _s(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    try:
        text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    except (TypeError, ValueError):
        text = ""
    if isinstance(value, SafeData):
        text = mark_safe(text)  # noqa: S308 - stringformat keeps a safe value safe
    return _out(text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(" " + _out(name))
        else:
            parts.append(f' {_out(name)}="{_s(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_s(value)}"' if value is not None else ""
    head = f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
    return f"{head}{shown}{_attrs(widget['attrs'])}>"


def _option(option: dict) -> str:
    return (
        f'<option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_out(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    out = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != SELECT_OPTION:
                return None  # a custom option template: the engine renders it
            out.append("\n  " + _option(option) + "\n")  # the option file's own newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    body = _out(value) if value else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


class FastFormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's default renderer, faster for plain widgets."""

    def __init__(self):
        super().__init__()
        self._own: dict[str, bool] = {}

    def render(self, template_name, context, request=None):
        if template_name in FAST_TEMPLATES and self._is_django_own(template_name):
            widget = context["widget"]
            if template_name == SELECT:
                html = _select(widget)
                if html is not None:
                    return html
            elif template_name == TEXTAREA:
                return _textarea(widget)
            else:
                return _input(widget)
        return super().render(template_name, context, request=request)

    def _is_django_own(self, template_name: str) -> bool:
        """Whether the engine loads Django's own file for this name (not an app's or
        the project's override); looked up once per name and process (a race only
        computes the same answer twice)."""
        own = self._own.get(template_name)
        if own is None:
            origin = str(self.get_template(template_name).template.origin.name)
            own = origin.replace("\\", "/").startswith(_DJANGO_DIR)
            self._own[template_name] = own
        return own


_DJANGO_DIR = str(Path(django.__file__).resolve().parent).replace("\\", "/") + "/"
