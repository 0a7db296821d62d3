"""`mattran import_units` and `import_lineage` in the app, for the system administrator
(issue 11): a province outside Hà Nội, then its later version with lineage."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from mattran.units.models import Level, Lineage, Unit
from tests.factories import UserFactory

DATA = Path(__file__).parent / "data"


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/csv")


def test_superuser_imports_a_province_and_its_successor_with_lineage(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        "/don-vi/nhap-danh-muc/",
        {
            "version_code": "2025-01",
            "version_name": "Địa giới hành chính từ 01/01/2025",
            "valid_from": "2025-01-01",
            "valid_to": "2025-06-30",
            "file": _file("ha_nam_2025_01_phu_ly_duy_tien.csv"),
        },
    )
    assert response.status_code == 302 and "phien-ban=2025-01" in response["Location"]
    assert Unit.objects.filter(version__code="2025-01", level=Level.COMMUNE).count() == 29
    response = client.post(
        "/don-vi/nhap-danh-muc/",
        {
            "version_code": "2025-07",
            "valid_from": "2025-07-01",
            "file": _file("ninh_binh_2025_07_phu_ly_duy_tien.csv"),
            "lineage_from": "2025-01",
            "lineage_file": _file("lineage_ha_nam_2025_01_ninh_binh_2025_07.csv"),
        },
    )
    assert response.status_code == 302
    assert Lineage.objects.count() == 35
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhập 11 đơn vị vào Địa giới hành chính 2025-07 và 35 quan hệ kế thừa." in page


def test_a_bad_file_names_its_rows_and_writes_nothing(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    bad = "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\nTỉnh Thử,9x,,,Xã A,1,Xã\n"
    body = client.post(
        "/don-vi/nhap-danh-muc/",
        {
            "version_code": "moi",
            "valid_from": "2025-07-01",
            "file": SimpleUploadedFile("x.csv", bad.encode()),
        },
    ).content.decode()
    assert "Dòng 2, cột &#x27;Mã TP&#x27;: mã &#x27;9x&#x27; phải là dãy chữ số" in body
    assert not Unit.objects.exists()
    client.force_login(UserFactory())
    assert client.get("/don-vi/nhap-danh-muc/").status_code == 302  # to the admin sign-in
