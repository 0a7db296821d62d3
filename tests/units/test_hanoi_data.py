"""The shipped Hà Nội structures (see src/mattran/units/data/SOURCES.md)."""

import datetime as dt
from io import StringIO

import pytest

from mattran.demo.loader import load_demo, step_units
from mattran.units.models import Level, Lineage, StructureVersion, Unit


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
    lang = Lineage.objects.get(
        from_unit__name="Phường Láng Thượng",
        from_unit__version__code="2023",
        to_unit__version__code="2025-07",
    )
    assert lang.to_unit.name == "Phường Láng" and lang.kind == "whole"
    phuong_liet = Lineage.objects.filter(
        from_unit__name="Phường Phương Liệt",
        from_unit__version__code="2023",
        to_unit__version__code="2025-07",
    )
    assert {lk.to_unit.name for lk in phuong_liet} == {"Phường Phương Liệt", "Phường Tương Mai"}


def test_demo_load_twice_duplicates_nothing(db):
    load_demo(out=StringIO())
    counts = (Unit.objects.count(), Lineage.objects.count())
    load_demo(out=StringIO())
    assert (Unit.objects.count(), Lineage.objects.count()) == counts


def test_january_2025_structure_between_2023_and_july_2025(hanoi):
    v = {code: StructureVersion.objects.get(code=code) for code in ("2023", "2025-01", "2025-07")}
    assert (v["2023"].valid_to, v["2025-01"].valid_from) == (
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 1),
    )
    assert (v["2025-01"].valid_to, v["2025-07"].valid_from) == (
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 1),
    )
    units = Unit.objects.filter(version__code="2025-01")
    assert units.filter(level=Level.COMMUNE).count() == 526
    assert units.filter(level=Level.DISTRICT).count() == 30
    # Đống Đa 21 → 17 wards, Thanh Xuân 11 → 9; Hoàn Kiếm untouched.
    assert _children("2025-01", "Quận Đống Đa").count() == 17
    assert _children("2025-01", "Quận Thanh Xuân").count() == 9
    assert _children("2025-01", "Quận Hoàn Kiếm").count() == 18
    assert units.get(code="00226").name == "Phường Phương Liên - Trung Tự"


def test_lineage_on_both_sides_of_january_2025(hanoi):
    def links(old, new):
        return Lineage.objects.filter(from_unit__version__code=old, to_unit__version__code=new)

    communes = Unit.objects.filter(level=Level.COMMUNE)
    # Every 2023 unit went wholly into one 2025-01 unit; every 2025-01 unit came from one or more.
    assert links("2023", "2025-01").filter(kind="part").count() == 0
    assert not communes.filter(version__code="2023", successor_links__isnull=True).exists()
    jan = communes.filter(version__code="2025-01")
    assert not jan.filter(predecessor_links__isnull=True).exists()
    assert not jan.filter(successor_links__isnull=True).exists()
    assert not communes.filter(version__code="2025-07", predecessor_links__isnull=True).exists()
    merged = {
        lk.from_unit.name
        for lk in links("2023", "2025-01").filter(to_unit__name="Phường Văn Miếu - Quốc Tử Giám")
    }
    assert merged == {"Phường Văn Miếu", "Phường Quốc Tử Giám"}
    # Composition agrees with the direct 2023 → 2025-07 lineage.
    direct = {(lk.from_unit.code, lk.to_unit.code) for lk in links("2023", "2025-07")}
    step1 = dict(links("2023", "2025-01").filter(from_unit__level=3).values_list(
        "from_unit__code", "to_unit__code"
    ))  # fmt: skip
    step2 = set(links("2025-01", "2025-07").values_list("from_unit__code", "to_unit__code"))
    composed = {(a, c) for a, b in step1.items() for (b2, c) in step2 if b2 == b}
    assert composed == direct
