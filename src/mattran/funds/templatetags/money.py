from django import template

from mattran.core.vietnamese import (
    format_date,
    format_date_decree30,
    format_money,
    format_number,
    mask_personal,
    money_in_words,
)

register = template.Library()


@register.filter
def money(value) -> str:
    """2366435000 → "2.366.435.000 đ"; None → "—"."""
    if value is None or value == "":
        return "—"
    return format_money(int(value))


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return format_number(int(value))


@register.filter
def words(value) -> str:
    return money_in_words(int(value), capitalize=True)


@register.filter
def masked(value) -> str:
    return mask_personal(value or "")


@register.filter
def vndate(value) -> str:
    return format_date(value) if value else "—"


@register.filter
def decree30(value) -> str:
    return format_date_decree30(value) if value else ""


@register.filter
def purpose_label(code: str) -> str:
    """The Vietnamese label of a purpose code ("bank_fee" → "Phí ngân hàng")."""
    from mattran.funds.models import Purpose

    return dict(Purpose.choices).get(code, code or "")
