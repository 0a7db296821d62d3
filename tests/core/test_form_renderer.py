"""The Python-rendered widgets (core/form_renderer.py) give the HTML of Django's own
widget templates, byte for byte, and fall back to the templates for anything else."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from mattran.core.form_renderer import FastFormRenderer

ENGINE = DjangoTemplates()
FAST = FastFormRenderer()

CHOICES = [
    ("", "---------"),
    (1, "Một & <hai>"),
    ('Nhóm "A"', [("a1", "Ánh"), ("a2", mark_safe("<b>đậm</b>"))]),
    (Decimal("2.5"), 1234567),
    (3, dt.date(2025, 7, 1)),
]


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "x", "data-a": '"q"&'}))
    number = forms.DecimalField()
    integer = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    when = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    flag = forms.BooleanField(required=False)
    flag_off = forms.BooleanField(required=False, disabled=True)
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    yes_no = forms.NullBooleanField()
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    upload = forms.FileField(required=False)
    radio = forms.ChoiceField(choices=CHOICES[1:2], widget=forms.RadioSelect, required=False)


VALUES = [
    {},
    {
        "text": "a < b & \"c\" 'd'",
        "number": "1234.50",
        "integer": "0",
        "email": "x@y.vn",
        "url": "https://mttq.vn/?a=1&b=2",
        "password": "<mật khẩu>",
        "hidden": mark_safe("<i>an toàn</i>"),
        "date": "2025-07-01",
        "when": "01/07/2025 08:30",
        "time": "08:30",
        "flag": "on",
        "flag_off": "on",
        "one": 'Nhóm "A"',
        "many": ["1", "a2", "2.5"],
        "yes_no": "true",
        "notes": "dòng 1\n<dòng 2> & 3",
        "radio": "1",
    },
    {"one": "a1", "many": ["3"], "yes_no": "false", "notes": "", "integer": "-7"},
]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("bound", [True, False])
def test_every_plain_widget_renders_as_django_templates_do(data, bound):
    initial = {
        "date": dt.date(2025, 7, 1),
        "number": Decimal("1.5"),
        "when": dt.datetime(2025, 7, 1, 8, 30),
        **{k: v for k, v in data.items() if k != "many"},
    }
    kwargs = {"data": data} if bound else {"initial": initial}
    slow = Everything(renderer=ENGINE, **kwargs)
    fast = Everything(renderer=FAST, **kwargs)
    for name in slow.fields:
        assert str(fast[name]) == str(slow[name]), name
    # the whole form, errors and labels included (those still go through templates)
    assert str(fast) == str(slow)


def test_the_project_uses_it_and_a_custom_template_still_goes_through_the_engine():
    assert isinstance(get_default_renderer(), FastFormRenderer)

    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input.html"  # any other template

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[(1, "Một")], widget=Custom)

    html = str(Form(renderer=FAST)["pick"])
    assert html == str(Form(renderer=ENGINE)["pick"])
    assert '<input type="select" name="pick" value="1"' in html  # the custom template ran
    assert FAST._is_django_own("django/forms/widgets/select.html")


@pytest.mark.django_db
def test_the_activity_forms_of_a_ward_render_the_same():
    from mattran.activities.forms import ActivityFilterForm, ActivityForm
    from mattran.activities.models import ActivityType
    from mattran.units.models import Unit
    from tests.factories import make_unit

    ward = make_unit("Phường <Thử> & Co")
    kind = ActivityType.objects.create(code="x-test", name="Hội nghị <A&B>")
    units = Unit.objects.filter(pk=ward.pk)
    scope = {"unit": ward, "supervisable": units, "organisations": units}
    posted = {"type": str(kind.pk), "title": "<x>", "supervised_units": [str(ward.pk)]}
    cases = [
        (ActivityForm, scope),
        (ActivityForm, {**scope, "data": posted}),
        (ActivityFilterForm, {}),
        (ActivityFilterForm, {"data": {"type": str(kind.pk), "q": "<a>", "chi_don_vi_nay": "on"}}),
    ]
    for form_cls, kwargs in cases:
        slow = form_cls(renderer=ENGINE, **kwargs)
        fast = form_cls(renderer=FAST, **kwargs)
        for name in slow.fields:
            assert str(fast[name]) == str(slow[name]), name
        assert "Hội nghị &lt;A&amp;B&gt;</option>" in str(fast["type"])
