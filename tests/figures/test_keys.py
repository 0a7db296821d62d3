import pytest
from django.core.exceptions import ValidationError

from mattran.figures.keys import KeySyntaxError, key_parse
from mattran.figures.registry import families, key_validate
from mattran.reports.models import Indicator


def test_keys_have_one_canonical_form():
    a = key_parse("funds.spent( purpose=gifts , fund=poor,measure=quantity)")
    b = key_parse("funds.spent(fund=poor,measure=quantity,purpose=gifts)")
    assert a == b
    assert str(a) == "funds.spent(fund=poor,measure=quantity,purpose=gifts)"
    assert str(key_parse("activities.count(types=toa_dam|tuyen_truyen)")) == str(
        key_parse("activities.count(types=tuyen_truyen|toa_dam)")
    )
    assert str(key_parse("mediation.rate")) == "mediation.rate"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "trống"),
        ("funds.spent(fund=poor", r"thiếu dấu “\)”"),
        ("Funds.Spent", "tên nhóm"),
        ("funds.spent(fund)", "thiếu dấu “=”"),
        ("funds.spent(fund=poor,fund=relief)", "ghi hai lần"),
        ("funds.spent(fund=Nghèo)", "không hợp lệ"),
    ],
)
def test_malformed_keys_say_what_is_wrong(text, message):
    with pytest.raises(KeySyntaxError, match=message):
        key_parse(text)


def test_every_record_app_registered_its_families():
    names = {f.name for f in families()}
    for family in [
        "activities.count",
        "activities.attendance",
        "activities.supervised_units",
        "mediation.received",
        "mediation.rate",
        "aggregates.value",
        "funds.mobilised",
        "funds.spent",
        "funds.transfers",
        "funds.balance",
        "units.residential_areas",
    ]:
        assert family in names, family


@pytest.mark.django_db
def test_unknown_or_bad_keys_are_refused_listing_the_families():
    with pytest.raises(ValidationError) as exc:
        key_validate("funds.vi_nguoi_ngheo.gifts")
    assert "Không có nhóm số liệu “funds.vi_nguoi_ngheo.gifts”" in str(exc.value)
    assert "funds.spent" in str(exc.value) and "activities.count" in str(exc.value)
    with pytest.raises(ValidationError, match="không có tham số “kind”"):
        key_validate("funds.spent(kind=poor)")
    with pytest.raises(ValidationError, match="không nhận giá trị “nha_o”.*gifts"):
        key_validate("funds.spent(purpose=nha_o)")
    with pytest.raises(ValidationError, match="cần tham số “types”"):
        key_validate("activities.count")
    with pytest.raises(ValidationError, match="không nhận giá trị “khong_co”"):
        key_validate("activities.count(types=khong_co)")
    # the default is left out of the canonical form
    assert str(key_validate("funds.spent(fund=poor,measure=amount)")) == "funds.spent(fund=poor)"


@pytest.mark.django_db
def test_an_indicator_with_an_unknown_key_is_refused_where_it_is_entered():
    ind = Indicator(code="moi", name="Chỉ tiêu mới", figure_key="funds.transfers_to_parent")
    with pytest.raises(ValidationError) as exc:
        ind.full_clean()
    assert "figure_key" in exc.value.message_dict
    assert "Các nhóm số liệu" in exc.value.message_dict["figure_key"][0]
    ind.figure_key = "funds.transfers( direction=up )"
    ind.full_clean()
    assert ind.figure_key == "funds.transfers(direction=up)"
