import datetime as dt

import pytest
from django.urls import reverse

from mattran.access.models import Role
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.units.models import Level, Person, Position, Unit
from mattran.units.services import (
    member_organisation_create,
    residential_area_create,
    term_ensure,
    unit_rename,
)
from tests.factories import UserFactory, grant, make_unit


def test_subtree_is_a_range_on_path(tree):
    district_a = tree["district_a"]
    names = set(Unit.objects.filter(Unit.subtree_q(district_a.path)).values_list("name", flat=True))
    assert names == {"Quận A", "Phường A1", "Phường A2", "Tổ dân phố 1"}


def test_subtree_does_not_leak_into_numeric_neighbours(db):
    # Unit 1's path "/1/" must not match "/10/" or "/12/".
    city = make_unit("Gốc")
    first = make_unit("Con đầu", city)
    for i in range(12):
        make_unit(f"Con {i}", city)
    sub = Unit.objects.filter(Unit.subtree_q(first.path))
    assert list(sub) == [first]


def test_subtree_query_is_one_query_at_any_depth(db, django_assert_num_queries):
    parent = make_unit("Cấp 0")
    root = parent
    for depth in range(1, 4):
        parent = make_unit(f"Cấp {depth}", parent)
    with django_assert_num_queries(1):
        assert Unit.objects.filter(Unit.subtree_q(root.path)).count() == 4


def test_residential_area_with_board_head_is_audited(tree):
    editor = UserFactory()
    grant(editor, tree["ward_a1"], Role.EDITOR)
    term = term_ensure(actor=None, start_year=2024, end_year=2029)
    area = residential_area_create(
        actor=editor,
        commune=tree["ward_a1"],
        name="Tổ dân phố số 7",
        kind="Tổ dân phố",
        board_head_name="Nguyễn Văn Hòa",
        term=term,
    )
    assert area.level == Level.RESIDENTIAL_AREA and area.path.startswith(tree["ward_a1"].path)
    position = Position.objects.get(unit=area)
    assert position.role == "board_head" and position.person.full_name == "Nguyễn Văn Hòa"
    actions = list(
        AuditEvent.objects.exclude(action="term.create")
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [
        ("unit.create", editor.pk),
        ("person.create", editor.pk),
        ("position.create", editor.pk),
    ]


def test_failed_service_writes_nothing(tree):
    editor = UserFactory()
    grant(editor, tree["ward_a1"], Role.EDITOR)
    with pytest.raises(UserFacingError, match="nhiệm kỳ"):
        residential_area_create(
            actor=editor,
            commune=tree["ward_a1"],
            name="Tổ 9",
            kind="Tổ dân phố",
            board_head_name="Lê Thị B",
            term=None,
        )
    assert not Unit.objects.filter(name="Tổ 9").exists()
    assert not Person.objects.filter(full_name="Lê Thị B").exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_area_name_is_refused_whatever_the_diacritics(tree):
    editor = UserFactory()
    grant(editor, tree["ward_a1"], Role.EDITOR)
    with pytest.raises(UserFacingError, match="đã có đơn vị"):
        residential_area_create(
            actor=editor, commune=tree["ward_a1"], name="to dan pho 1", kind="Tổ dân phố"
        )


def test_editor_cannot_add_member_organisation(tree):
    editor = UserFactory()
    grant(editor, tree["ward_a1"], Role.EDITOR)
    with pytest.raises(UserFacingError):
        member_organisation_create(actor=editor, unit=tree["ward_a1"], name="Hội Phụ nữ")


def test_rename_records_before_and_after(tree):
    admin = UserFactory()
    grant(admin, tree["city"], Role.ADMIN)
    unit_rename(actor=admin, unit=tree["ward_a2"], name="Phường A Hai")
    event = AuditEvent.objects.get(action="unit.rename")
    assert event.before["name"] == "Phường A2" and event.after["name"] == "Phường A Hai"
    assert event.changes == [
        ("name", "Phường A2", "Phường A Hai"),
        ("search_key", "phuong a2", "phuong a hai"),
    ]


def test_unit_page_shows_facts_committee_and_member_orgs(client, tree):
    admin = UserFactory()
    grant(admin, tree["city"], Role.ADMIN)
    term = term_ensure(actor=None, start_year=2019, end_year=2024)
    person = Person.objects.create(full_name="Trần Thị Mai")
    Position.objects.create(unit=tree["district_a"], term=term, person=person, role="chair")
    member_organisation_create(actor=admin, unit=tree["district_a"], name="Hội Cựu chiến binh quận")
    client.force_login(admin)
    html = client.get(reverse("units:detail", args=[tree["district_a"].pk])).content.decode()
    for text in [
        "Quận A",
        "911",
        "Thành phố Thử",
        "Phường A1",
        "Phường A2",
        "Trần Thị Mai",
        "Chủ tịch",
        "Hội Cựu chiến binh quận",
        "Nhiệm kỳ 2019–2024",
    ]:
        assert text in html, text


def test_unit_page_query_count_does_not_grow_with_children(
    client, tree, django_assert_max_num_queries
):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    url = reverse("units:detail", args=[tree["district_a"].pk])
    client.get(url)
    for i in range(30):
        make_unit(f"Phường thêm {i}", tree["district_a"])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_audit_page_lists_subtree_newest_first_and_filters(client, tree):
    admin = UserFactory(username="quantri_a")
    grant(admin, tree["district_a"], Role.ADMIN)
    unit_rename(actor=admin, unit=tree["ward_a1"], name="Phường Một")
    unit_rename(actor=admin, unit=tree["ward_a2"], name="Phường Hai")
    other = UserFactory()
    grant(other, tree["city"], Role.ADMIN)
    unit_rename(actor=other, unit=tree["ward_b1"], name="Phường Ngoài")
    client.force_login(admin)
    url = reverse("units:audit", args=[tree["district_a"].pk])
    html = client.get(url).content.decode()
    assert html.index("Phường Hai") < html.index("Phường Một")
    assert "Phường Ngoài" not in html
    filtered = client.get(url, {"action": "unit.rename", "actor": "khong-ai"}).content.decode()
    assert "Phường Hai" not in filtered and "Không có sự kiện nào" in filtered


def test_tree_search_folds_diacritics(client, tree):
    viewer = UserFactory()
    grant(viewer, tree["district_a"], Role.VIEWER)
    client.force_login(viewer)
    html = client.get(reverse("units:tree"), {"q": "phuong a1"}).content.decode()
    assert "Phường A1" in html
    html = client.get(reverse("units:tree"), {"q": "phuong b1"}).content.decode()
    assert "Phường B1" not in html


def test_editor_adds_a_residential_area_through_the_form(client, tree):
    editor = UserFactory()
    grant(editor, tree["ward_a1"], Role.EDITOR)
    term_ensure(actor=None, start_year=2024, end_year=2029)
    client.force_login(editor)
    url = reverse("units:area_create", args=[tree["ward_a1"].pk])
    response = client.post(
        url, {"name": "Tổ dân phố số 3", "kind": "Tổ dân phố", "board_head": "Đỗ Văn Nam"}
    )
    area = Unit.objects.get(name="Tổ dân phố số 3")
    assert response.status_code == 302 and response["Location"].endswith(f"/don-vi/{area.pk}/")
    assert Position.objects.get(unit=area).person.full_name == "Đỗ Văn Nam"
    page = client.get(response["Location"]).content.decode()
    assert "Trưởng ban công tác Mặt trận" in page and "Đỗ Văn Nam" in page
    again = client.post(url, {"name": "Tổ dân phố số 3", "kind": "Tổ dân phố"})
    assert again.status_code == 200 and "đã có đơn vị tên" in again.content.decode()
    empty = client.post(url, {"name": "", "kind": "Tổ dân phố"})
    assert "Trường này là bắt buộc" in empty.content.decode()


def test_audit_page_reads_in_vietnamese_with_names_local_time_and_a_list_of_actions(
    client, tree, settings
):
    from django.utils import timezone

    admin = UserFactory(username="quantri_b", first_name="Nguyễn Thị Lan", last_name="")
    grant(admin, tree["district_a"], Role.ADMIN)
    unit_rename(actor=admin, unit=tree["ward_a1"], name="Phường Một")
    event = AuditEvent.objects.get(action="unit.rename")
    # 02:05 UTC is 09:05 in Hà Nội
    AuditEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2024, 3, 1, 2, 5, tzinfo=dt.UTC))
    client.force_login(admin)
    url = reverse("units:audit", args=[tree["district_a"].pk])
    html = client.get(url).content.decode()
    table = html[html.index('data-testid="audit-events"') :]
    assert 'data-testid="audit-action">Đổi tên đơn vị' in table and "unit.rename" not in table
    assert "01/03/2024 09:05" in html and "Phường A1 → Phường Một" in html
    assert "<b>Tên</b>" in table and "Nguyễn Thị Lan" in table
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"
    picked = client.get(url, {"action": ["unit.rename", "grant.create"]}).content.decode()
    assert "Phường Một" in picked
    other = client.get(url, {"action": ["grant.create"]}).content.decode()
    assert "Không có sự kiện nào" in other
    assert '<option value="submission.approve">Duyệt báo cáo</option>' in html


def test_change_log_skips_reverse_relations_in_snapshots():
    from mattran.core.audit_display import describe

    event = AuditEvent(
        action="pledge.create",
        object_type="emulation.pledge",
        before=None,
        after={"members": [1, 2], "title": "Giao ước"},
    )
    event.at = dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)
    [row] = describe([event])
    labels = {c.label: c.after for c in row.changes}
    assert labels == {"tên giao ước": "Giao ước"}  # "members" is a reverse relation: skipped
    assert row.at == "02/01/2024 10:04"
