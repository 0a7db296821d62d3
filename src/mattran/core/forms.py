from django import forms
from django.forms.models import ModelChoiceIterator

from .errors import UserFacingError
from .vietnamese import MAX_AMOUNT, MAX_COUNT, format_number, parse_integer


class ChoicesInOneQuery(ModelChoiceIterator):
    """A model choice field's options in one plain query. Django's iterator reads
    them with ``QuerySet.iterator()``, which on PostgreSQL is a server-side cursor
    (DECLARE ... WITH HOLD, FETCH, CLOSE: three round trips and a materialised
    result) for a list of a few dozen rows (issue 16)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a fresh copy: the field's own stays unevaluated
            yield self.choice(obj)


class StyledFormMixin:
    """Give every widget Bootstrap's classes, so templates stay plain; model choices
    are read in one query (`ChoicesInOneQuery`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(field, forms.ModelChoiceField) and field.iterator is ModelChoiceIterator:
                field.iterator = ChoicesInOneQuery
                widget.choices = field.choices
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class IntegerInputField(forms.CharField):
    """A count or amount typed the Vietnamese way ("1.234.567", "1 234 567", "1234567").

    Every form field that holds a count or an amount uses this (or AmountField),
    so they all read numbers with the one parser, core.vietnamese.parse_integer,
    and refuse what it refuses ("1.5", "1,234", "²", "１２３", negatives, too big).
    A text input, not type=number: browsers silently drop "201.000.000" from a
    number input, or read it their own way.
    """

    currency = False

    def __init__(self, *, min_value: int = 0, max_value: int | None = None, **kwargs):
        self.min_value = min_value
        self.max_value = max_value or (MAX_AMOUNT if self.currency else MAX_COUNT)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "40")

    def to_python(self, value):
        text = super().to_python(value)
        if len(text) > 40:
            raise forms.ValidationError("Số quá dài; vui lòng kiểm tra lại.", code="invalid")
        try:
            return parse_integer(
                text, min_value=self.min_value, max_value=self.max_value, currency=self.currency
            )
        except UserFacingError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value)  # shown as typed back: "201.000.000"
        return value


class AmountField(IntegerInputField):
    """Whole đồng, more than 0, at most 10^15; a trailing "đ"/"đồng" is allowed."""

    currency = True

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class OnceFormMixin:
    """A hidden one-time token (core.form_tokens): the page's write happens once.

    A fresh token for an unbound form; a bound form keeps the submitted one, so
    a page shown again with errors can still be sent (its token is unused).
    The page always sends it; a client that posts without one (a script) is
    not protected against its own repeats, and is not refused either.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .form_tokens import new_form_token

        self.fields["form_token"] = forms.CharField(
            widget=forms.HiddenInput,
            initial=new_form_token(),
            max_length=64,
            required=False,
        )


class UploadField(forms.FileField):
    """Every uploaded file of every form: checked by core.uploads.check_upload for its
    `kind` (type, content, the kind's size limit); a refusal is a form error with the
    upload module's Vietnamese message. The browser's file chooser offers the kind's
    extensions."""

    def __init__(self, *, kind: str, **kwargs):
        from .uploads import KINDS

        self.kind = kind
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": ",".join(KINDS[kind].extensions)}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        from .uploads import UploadError, check_upload

        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "read"):
            try:
                check_upload(value, self.kind)
            except UploadError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return value
