"""People in the app (issue 11, item 3): an office administrator creates users with
their roles in one step, hands over a one-time link or a temporary password that
must be changed, adds many from an XLSX list; deactivating keeps history."""

import io
import re

import pytest
from openpyxl import load_workbook

from mattran.access import services
from mattran.access.importers import users_import, users_template
from mattran.access.models import Account, Grant, Role
from mattran.activities import services as act
from mattran.activities.models import ActivityRecord, ActivityType
from mattran.core.errors import ImportValidationError, UserFacingError
from mattran.core.models import AuditEvent
from tests.factories import UserFactory, grant


@pytest.fixture
def office(tree):
    admin = UserFactory(username="quantri.thu")
    grant(admin, tree["district_a"], Role.ADMIN)
    return admin


def test_create_with_roles_in_one_step_and_a_one_time_link(client, tree, office):
    client.force_login(office)
    response = client.post(
        "/phan-quyen/nguoi-dung/",
        {
            "full_name": "Trần Thị Bình",
            "username": "capnhat.a1",
            "phone": "0912 345 678",
            "unit_code": "91101",
            "roles": ["editor", "viewer"],
            "handover": "link",
        },
    )
    body = response.content.decode()
    link = re.search(r'data-testid="first-login-link">([^<]+)<', body).group(1)
    user = Account.objects.get(phone="0912345678").user
    assert set(Grant.objects.filter(user=user).values_list("unit__name", "role")) == {
        ("Phường A1", "editor"),
        ("Phường A1", "viewer"),
    }
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.create", actor=office).count() == 1
    client.logout()
    path = link.split("testserver", 1)[1]
    page = client.post(
        path, {"new_password1": "Mat-khau-rieng-2025", "new_password2": "Mat-khau-rieng-2025"}
    )
    assert page.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mat-khau-rieng-2025") and not user.account.must_change_password
    assert client.get(path).status_code == 404  # used once


def test_temporary_password_must_be_changed_first(client, tree, office):
    new = services.user_create(
        actor=office, unit=tree["ward_a2"], full_name="Lê Văn C", username="duyet.a2",
        email="c@example.org", roles=[Role.APPROVER], handover="password",
    )  # fmt: skip
    assert client.login(username="duyet.a2", password=new.secret)
    response = client.get("/bao-cao/")
    assert response.status_code == 302 and response["Location"] == "/doi-mat-khau/"
    mine = "Mot-mat-khau-moi-9"
    client.post(
        "/doi-mat-khau/",
        {"old_password": new.secret, "new_password1": mine, "new_password2": mine},
    )
    assert client.get("/bao-cao/").status_code == 200
    assert not Account.objects.get(user=new.user).must_change_password


def test_bad_details_and_outside_scope_are_refused(tree, office):
    with pytest.raises(UserFacingError, match="Cần ghi email hoặc số điện thoại"):
        services.user_create(
            actor=office, unit=tree["ward_a1"], full_name="X", username="x1", roles=["editor"]
        )
    with pytest.raises(UserFacingError, match="không có quyền quản trị đơn vị Quận B"):
        services.user_create(
            actor=office, unit=tree["district_b"], full_name="X", username="x2",
            email="x@example.org", roles=["editor"],
        )  # fmt: skip
    with pytest.raises(UserFacingError, match="đã có người dùng"):
        services.user_create(
            actor=office, unit=tree["ward_a1"], full_name="X", username="Quantri.Thu",
            email="x@example.org", roles=["editor"],
        )  # fmt: skip


def test_bulk_list_is_all_or_nothing_then_gives_temporary_passwords(tree, office):
    wb = load_workbook(io.BytesIO(users_template()))
    ws = wb.active
    ws.delete_rows(2)
    ws.append(["Người Một", "mot.a1", "", "0912000001", 91101, "Cập nhật"])
    ws.append(["Người Hai", "hai.a2", "hai@example.org", "", "91102", "Phê duyệt; Xem"])
    ws.append(["Người Ba", "mot.a1", "", "", "91201", "Chủ tịch"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportValidationError) as err:
        users_import(actor=office, source=io.BytesIO(buf.getvalue()))
    assert [str(e) for e in err.value.errors] == [
        "Dòng 4, cột 'Mã đơn vị': không có đơn vị mã “91201” bạn quản trị",
        "Dòng 4, cột 'Vai trò': vai trò “Chủ tịch” không hợp lệ",
        "Dòng 4, cột 'Email': Cần ghi email hoặc số điện thoại để liên hệ.",
        "Dòng 4, cột 'Tên đăng nhập': trùng tên đăng nhập với dòng 2",
    ]
    assert not Account.objects.exists()
    ws.delete_rows(4)
    buf = io.BytesIO()
    wb.save(buf)
    created = users_import(actor=office, source=io.BytesIO(buf.getvalue()))
    assert [(n.user.username, n.handover, len(n.secret)) for n in created] == [
        ("mot.a1", "password", 12),
        ("hai.a2", "password", 12),
    ]
    assert set(Grant.objects.filter(user__username="hai.a2").values_list("role", flat=True)) == {
        "approver",
        "viewer",
    }


def test_deactivating_keeps_history(client, tree, office):
    new = services.user_create(
        actor=office, unit=tree["ward_a1"], full_name="Cán bộ cũ", username="cu.a1",
        email="cu@example.org", roles=[Role.EDITOR], handover="password",
    )  # fmt: skip
    record = act.activity_record_create(
        actor=new.user, unit=tree["ward_a1"], type=ActivityType.objects.get(code="toa_dam"),
        date=tree["ward_a1"].version.valid_from.replace(year=2023), title="Tọa đàm",
    )  # fmt: skip
    client.force_login(office)
    client.post(f"/phan-quyen/nguoi-dung/{new.user.pk}/khoa/")
    new.user.refresh_from_db()
    assert not new.user.is_active
    assert ActivityRecord.objects.get(pk=record.pk).created_by == new.user
    assert Grant.objects.filter(user=new.user).exists()
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(new.user.pk)).exists()
    assert not client.login(username="cu.a1", password=new.secret)
