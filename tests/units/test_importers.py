import io

import pytest

from mattran.core.errors import ImportValidationError
from mattran.core.models import AuditEvent
from mattran.units.importers import import_lineage_csv, import_units_csv
from mattran.units.models import Level, Lineage, Unit
from tests.factories import VersionFactory

GSO_HEADER = "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n"
GOOD = (
    GSO_HEADER
    + "Tỉnh Thử,90,Huyện Một,901,Xã An,90101,Xã\n"
    + "Tỉnh Thử,90,Huyện Một,901,Thị trấn Bình,90102,Thị trấn\n"
    + "Tỉnh Thử,90,Thành phố Hai,902,Phường Hòa,90201,Phường\n"
)


def _import(text, version=None):
    version = version or VersionFactory(code="t")
    return import_units_csv(actor=None, source=io.StringIO(text), version=version), version


def test_gso_layout_builds_the_tree(db):
    result, version = _import(GOOD)
    assert result.created == 6
    assert result.by_level == {Level.PROVINCE: 1, Level.DISTRICT: 2, Level.COMMUNE: 3}
    hoa = Unit.objects.get(version=version, code="90201")
    assert hoa.parent.name == "Thành phố Hai" and hoa.parent.kind == "Thành phố"
    assert hoa.parent.parent.name == "Tỉnh Thử" and hoa.parent.parent.kind == "Tỉnh"
    assert hoa.path == f"/{hoa.parent.parent.pk}/{hoa.parent.pk}/{hoa.pk}/"
    assert AuditEvent.objects.get(action="units.import").after["created"] == 6


def test_bytes_with_bom_are_accepted(db):
    version = VersionFactory(code="b")
    result = import_units_csv(actor=None, source=("\ufeff" + GOOD).encode(), version=version)
    assert result.created == 6


def test_two_level_layout_without_districts(db):
    text = GSO_HEADER + "Tỉnh Thử,90,,,Phường Mới,90001,Phường\n"
    _, version = _import(text)
    ward = Unit.objects.get(version=version, code="90001")
    assert ward.level == Level.COMMUNE and ward.parent.level == Level.PROVINCE


def test_same_code_in_two_versions_means_two_units(db):
    _import(GOOD, VersionFactory(code="cu"))
    _import(GOOD.replace("Phường Hòa", "Phường Khác"), VersionFactory(code="moi"))
    assert set(Unit.objects.filter(code="90201").values_list("name", flat=True)) == {
        "Phường Hòa",
        "Phường Khác",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("Mã PX", "Ma phuong"),
            "Dòng 1, cột 'Mã PX': thiếu cột 'Mã PX' trong dòng tiêu đề",
        ),
        (
            GOOD + "Tỉnh Thử,90,Huyện Một,901,Xã Trùng,90101,Xã\n",
            "Dòng 5, cột 'Mã PX': mã '90101' bị trùng (đã có ở dòng 2)",
        ),
        (
            GOOD + "Tỉnh Khác,91,Huyện Một,901,Xã Lạ,91101,Xã\n",
            "Dòng 5, cột 'Mã QH': quận/huyện 901 đã thuộc tỉnh/thành phố mã 90 ở dòng 2",
        ),
        (
            GOOD + "Tỉnh Thử,90,Huyện Một,901,,90109,Xã\n",
            "Dòng 5, cột 'Phường Xã': không được để trống",
        ),
        (
            GOOD + "Tỉnh Thử,90,Huyện Một,9x1,Xã B,90109,Xã\n",
            "Dòng 5, cột 'Mã QH': mã '9x1' phải là dãy chữ số",
        ),
        ("a,b,c\n1,2,3\n", "Dòng 1: không nhận ra bố cục tệp"),
    ],
)
def test_bad_gso_file_names_row_and_column_and_writes_nothing(db, text, expected):
    version = VersionFactory(code="x")
    with pytest.raises(ImportValidationError) as exc:
        import_units_csv(actor=None, source=io.StringIO(text), version=version)
    assert expected in exc.value.message
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_against_existing_version(db):
    _, version = _import(GOOD)
    with pytest.raises(ImportValidationError, match="Dòng 2, cột 'Mã PX': mã '90101' bị trùng"):
        import_units_csv(
            actor=None,
            source=io.StringIO(GSO_HEADER + "Tỉnh Thử,90,Huyện Một,901,Xã An,90101,Xã\n"),
            version=version,
        )
    assert Unit.objects.count() == 6


TREE = "Mã,Tên,Loại,Mã cấp trên\n"


def test_tree_layout_and_unknown_parent(db):
    version = VersionFactory(code="tree")
    text = (
        TREE
        + "80,Tỉnh Cây,Tỉnh,\n801,Huyện Lá,Huyện,80\n"
        + "80101,Xã Hoa,Xã,801\nTDP1,Thôn Đông,Thôn,80101\n"
    )
    result = import_units_csv(actor=None, source=io.StringIO(text), version=version)
    assert result.created == 4
    assert Unit.objects.get(code="TDP1").level == Level.RESIDENTIAL_AREA
    bad = TREE + "TDP2,Thôn Tây,Thôn,99999\nTDP3,Thôn Nam,Làng,80101\n"
    with pytest.raises(ImportValidationError) as exc:
        import_units_csv(actor=None, source=io.StringIO(bad), version=version)
    message = exc.value.message
    assert "Dòng 2, cột 'Mã cấp trên': không có đơn vị mã '99999'" in message
    assert "Dòng 3, cột 'Loại': loại 'Làng' không hợp lệ" in message
    assert exc.value.total == 2
    assert Unit.objects.count() == 4


def test_lineage_import_validates_codes_and_names(db):
    _, old = _import(GOOD, VersionFactory(code="old"))
    new = VersionFactory(code="new")
    import_units_csv(
        actor=None,
        source=io.StringIO(GSO_HEADER + "Tỉnh Thử,90,,,Phường Hợp Nhất,90009,Phường\n"),
        version=new,
    )
    header = "Mã cũ,Tên cũ,Mã mới,Tên mới,Kiểu\n"
    good = header + "90201,Phường Hòa,90009,Phường Hợp Nhất,whole\n90101,Xã An,90009,,một phần\n"
    assert (
        import_lineage_csv(actor=None, source=io.StringIO(good), from_version=old, to_version=new)
        == 2
    )
    # re-import adds nothing
    assert (
        import_lineage_csv(actor=None, source=io.StringIO(good), from_version=old, to_version=new)
        == 0
    )
    bad = header + "90201,Phường Khác,90009,,whole\n12345,,90009,,whole\n90102,,90009,,nua\n"
    with pytest.raises(ImportValidationError) as exc:
        import_lineage_csv(actor=None, source=io.StringIO(bad), from_version=old, to_version=new)
    msg = exc.value.message
    assert "Dòng 2, cột 'Tên cũ': mã 90201 là 'Phường Hòa', không phải 'Phường Khác'" in msg
    assert "Dòng 3, cột 'Mã cũ': không có mã '12345'" in msg
    assert "Dòng 4, cột 'Kiểu'" in msg
    assert Lineage.objects.count() == 2


def test_units_added_to_a_version_show_at_once_in_its_units_children(
    db, settings, django_capture_on_commit_callbacks
):
    """The children of a unit are kept in each process until a unit of its version is
    written (core/versions.py, ``sv:<version>``): an import that adds units bumps it."""
    from django.core.cache import cache

    from mattran.figures.scope import scope_build

    settings.MATTRAN_DATA_CACHE = True
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _, version = _import(GOOD)
    district = Unit.objects.get(version=version, code="901")
    assert [c.code for c in scope_build(unit=district).children] == ["90101", "90102"]
    with django_capture_on_commit_callbacks(execute=True):
        _import(GSO_HEADER + "Tỉnh Thử,90,Huyện Một,901,Xã Mới,90103,Xã\n", version)
    assert [c.code for c in scope_build(unit=district).children] == ["90101", "90102", "90103"]
    cache.clear()
