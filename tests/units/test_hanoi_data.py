"""The shipped Hà Nội structures (see src/mattran/units/data/SOURCES.md)."""

from io import StringIO

import pytest

from mattran.demo.loader import load_demo, step_units
from mattran.units.models import Level, Lineage, Unit


@pytest.fixture
def hanoi(db):
    step_units(StringIO())


def _children(version, district):
    return Unit.objects.filter(version__code=version, parent__name=district, level=Level.COMMUNE)


def test_2023_structure(hanoi):
    assert _children("2023", "Quận Thanh Xuân").count() == 11
    assert _children("2023", "Quận Đống Đa").count() == 21
    assert Unit.objects.filter(version__code="2023", level=Level.DISTRICT).count() == 30
    assert Unit.objects.filter(version__code="2023", level=Level.COMMUNE).count() == 579
    lang_thuong = Unit.objects.get(version__code="2023", name="Phường Láng Thượng")
    assert lang_thuong.code == "00187" and lang_thuong.parent.code == "006"


def test_2025_structure_has_no_districts(hanoi):
    units = Unit.objects.filter(version__code="2025-07")
    assert units.filter(level=Level.COMMUNE).count() == 126
    assert not units.filter(level=Level.DISTRICT).exists()
    assert units.get(code="01").name == "Thành phố Hà Nội"


def test_a_code_means_a_different_ward_in_each_version(hanoi):
    assert Unit.objects.get(version__code="2023", code="00352").name == "Phường Khương Mai"
    assert Unit.objects.get(version__code="2025-07", code="00352").name == "Phường Phương Liệt"


def test_every_2023_ward_of_the_seed_districts_has_a_successor(hanoi):
    wards = Unit.objects.filter(
        version__code="2023", parent__name__in=["Quận Thanh Xuân", "Quận Đống Đa"]
    )
    missing = wards.filter(successor_links__isnull=True)
    assert list(missing) == []
    lang = Lineage.objects.get(from_unit__name="Phường Láng Thượng")
    assert lang.to_unit.name == "Phường Láng" and lang.kind == "whole"
    phuong_liet = Lineage.objects.filter(
        from_unit__name="Phường Phương Liệt", from_unit__version__code="2023"
    )
    assert {lk.to_unit.name for lk in phuong_liet} == {"Phường Phương Liệt", "Phường Tương Mai"}


def test_demo_load_twice_duplicates_nothing(db):
    load_demo(out=StringIO())
    counts = (Unit.objects.count(), Lineage.objects.count())
    load_demo(out=StringIO())
    assert (Unit.objects.count(), Lineage.objects.count()) == counts
