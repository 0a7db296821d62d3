"""`mattran import_units` for a province with a provincial city and district-level
towns, and its later version with lineage, on real data (tests/units/data/SOURCES.md):
Hà Nam's Thành phố Phủ Lý and Thị xã Duy Tiên before 1 July 2025, and the wards of
Tỉnh Ninh Bình they became."""

import datetime as dt
import json
from pathlib import Path

from django.core.management import call_command

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.units.models import Level, Lineage, Unit

DATA = Path(__file__).parent / "data"


def _load():
    call_command(
        "import_units", str(DATA / "ha_nam_2025_01_phu_ly_duy_tien.csv"),
        "--structure", "2025-01", "--valid-from", "2025-01-01", "--valid-to", "2025-06-30",
    )  # fmt: skip
    call_command(
        "import_units", str(DATA / "ninh_binh_2025_07_phu_ly_duy_tien.csv"),
        "--structure", "2025-07", "--valid-from", "2025-07-01",
    )  # fmt: skip
    call_command(
        "import_lineage", str(DATA / "lineage_ha_nam_2025_01_ninh_binh_2025_07.csv"),
        "--from", "2025-01", "--to", "2025-07",
    )  # fmt: skip


def test_city_and_town_of_a_province_then_its_two_level_successor(db, capsys):
    _load()
    out = capsys.readouterr().out
    assert "cấp tỉnh 1, cấp huyện 2, cấp xã 29" in out
    province = Unit.objects.get(version__code="2025-01", level=Level.PROVINCE)
    assert (province.name, province.kind, province.code) == ("Tỉnh Hà Nam", "Tỉnh", "35")
    towns = {
        u.name: u.kind for u in Unit.objects.filter(version__code="2025-01", level=Level.DISTRICT)
    }
    assert towns == {"Thành phố Phủ Lý": "Thành phố", "Thị xã Duy Tiên": "Thị xã"}
    duy_tien = Unit.objects.get(version__code="2025-01", name="Thị xã Duy Tiên")
    kinds = set(duy_tien.children.values_list("kind", flat=True))
    assert kinds == {"Phường", "Xã"} and duy_tien.children.count() == 15
    new = Unit.objects.filter(version__code="2025-07")
    assert not new.filter(level=Level.DISTRICT).exists()
    assert new.filter(level=Level.COMMUNE).count() == 10
    assert Lineage.objects.count() == 35
    hoa_mac = Lineage.objects.filter(from_unit__name="Phường Hòa Mạc")
    assert {(lk.to_unit.name, lk.kind) for lk in hoa_mac} == {
        ("Phường Duy Tiên", "part"),
        ("Phường Duy Tân", "part"),
    }


def test_records_of_the_old_wards_count_in_the_new_ward_and_the_report_finds_the_town(db, capsys):
    _load()
    capsys.readouterr()
    lam_ha = Unit.objects.get(version__code="2025-01", name="Phường Lam Hạ")
    toa_dam = ActivityType.objects.get(code="toa_dam")
    for day in (dt.date(2025, 3, 1), dt.date(2025, 5, 2)):
        act.activity_record_create(actor=None, unit=lam_ha, type=toa_dam, date=day, title="Tọa đàm")
    # By name, the structure in force for the half-year is the default.
    call_command("report", "Thị xã Duy Tiên", "2025-H1", "--format", "json")
    assert json.loads(capsys.readouterr().out)["version"] == "2025-01"
    call_command("report", "Thành phố Phủ Lý", "2025-H1", "--format", "json")
    assert json.loads(capsys.readouterr().out)["figures"]["toa_dam"]["value"] == 2
    # Lam Hạ went wholly into Phường Hà Nam of Tỉnh Ninh Bình: its year 2025 carries them.
    call_command("report", "Phường Hà Nam", "2025", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == "2025-07" and data["figures"]["toa_dam"]["value"] == 2
