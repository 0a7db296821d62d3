import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from mattran.units.models import Lineage, Unit

GSO = "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n"


def test_import_units_command_creates_version_and_units(db, tmp_path, capsys):
    f = tmp_path / "tinh.csv"
    f.write_text(GSO + "Tỉnh Thử,90,Huyện Một,901,Xã An,90101,Xã\n", encoding="utf-8")
    call_command("import_units", str(f), "--structure", "t1", "--valid-from", "2023-01-01")
    assert "Đã nhập 3 đơn vị" in capsys.readouterr().out
    assert Unit.objects.filter(version__code="t1").count() == 3


def test_import_units_command_reports_row_and_field(db, tmp_path):
    f = tmp_path / "tinh.csv"
    f.write_text(
        GSO + "Tỉnh Thử,90,Huyện Một,901,Xã An,90101,Xã\n"
        "Tỉnh Thử,90,Huyện Một,901,Xã Bình,90101,Xã\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"Dòng 3, cột 'Mã PX': mã '90101' bị trùng"):
        call_command("import_units", str(f), "--structure", "t2", "--valid-from", "2023-01-01")
    assert not Unit.objects.exists()


def test_import_units_needs_valid_from_for_a_new_version(db, tmp_path):
    f = tmp_path / "tinh.csv"
    f.write_text(GSO, encoding="utf-8")
    with pytest.raises(CommandError, match="--valid-from"):
        call_command("import_units", str(f), "--structure", "moi")


def test_import_lineage_command(db, tmp_path):
    old, new = tmp_path / "cu.csv", tmp_path / "moi.csv"
    old.write_text(GSO + "Tỉnh Thử,90,Huyện Một,901,Xã An,90101,Xã\n", encoding="utf-8")
    new.write_text(GSO + "Tỉnh Thử,90,,,Xã An Bình,90101,Xã\n", encoding="utf-8")
    call_command("import_units", str(old), "--structure", "cu", "--valid-from", "2020-01-01")
    call_command("import_units", str(new), "--structure", "moi", "--valid-from", "2025-07-01")
    links = tmp_path / "lk.csv"
    links.write_text(
        "Mã cũ,Tên cũ,Mã mới,Tên mới,Kiểu\n90101,Xã An,90101,Xã An Bình,whole\n", encoding="utf-8"
    )
    call_command("import_lineage", str(links), "--from", "cu", "--to", "moi")
    link = Lineage.objects.get()
    assert (link.from_unit.name, link.to_unit.name) == ("Xã An", "Xã An Bình")


def test_console_command_lists_project_commands():
    out = subprocess.run(
        [sys.executable, "-m", "mattran.cli", "help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("import_units", "import_lineage", "load_demo", "migrate"):
        assert command in out
