"""The home page per role: the editor's returned and due reports, the approver's queue."""

import datetime as dt
import re

from mattran.access.models import Role
from mattran.core.periods import Period
from mattran.reports import selectors, services
from tests.reports.conftest import record

TODAY = dt.date(2026, 12, 7)


def test_editor_sees_due_and_returned_approver_sees_waiting_and_late(tree, people, records):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    nine = Period.nine_months(2023)
    sub_a1 = services.submission_submit(actor=people["editor_a1"], unit=a1, period=nine)

    approver = selectors.home_for(user=people["approver_a"], today=TODAY)
    assert [(i.unit, i.period) for i in approver.waiting] == [(a1, nine)]
    # Phường A2's latest records are from October 2023: its year report is due and late.
    late = {(i.unit.name, i.period.code) for i in approver.late}
    assert ("Phường A2", "2023") in late and ("Phường A1", "2023") in late
    assert not approver.can_edit and approver.returned == [] and approver.due == []

    services.submission_return(actor=people["approver_a"], submission=sub_a1, comment="Thiếu số")
    editor = selectors.home_for(user=people["editor_a1"], today=TODAY)
    assert [(i.unit, i.period, i.note) for i in editor.returned] == [(a1, nine, "Thiếu số")]
    assert editor.due == []  # its latest period (9 months 2023) is the returned one
    assert editor.waiting == [] and not editor.can_approve
    assert selectors.home_for(user=people["approver_a"], today=TODAY).waiting == []

    other = selectors.home_for(user=people["editor_a2"], today=TODAY)
    assert other.returned == [] and [(i.unit, i.period.code) for i in other.due] == [(a2, "2023")]
    assert other.due[0].note == "hạn nộp 05/01/2024 – đã quá hạn"


def test_home_page_links_each_item_and_login_lands_there(client, tree, people, records):
    a1 = tree["ward_a1"]
    services.submission_submit(actor=people["editor_a1"], unit=a1, period=Period.nine_months(2023))
    client.force_login(people["approver_a"])
    assert client.get("/")["Location"] == "/bao-cao/viec-can-lam/"
    page = client.get("/bao-cao/viec-can-lam/").content.decode()
    assert f'href="/bao-cao/{a1.pk}/2023-9M/">Phường A1 – 9 tháng đầu năm 2023</a>' in page
    assert 'data-testid="home-returned"' not in page  # an approver edits nothing
    client.force_login(people["viewer_a"])
    page = client.get("/bao-cao/viec-can-lam/").content.decode()
    assert 'data-testid="home-waiting"' not in page and 'data-testid="home-due"' not in page
    assert "Quận A" in page


def test_change_log_names_people_and_statuses_not_ids(tree, people, records):
    from mattran.core.audit_display import describe
    from mattran.core.models import AuditEvent

    people["approver_a"].first_name = "Trần Thu Hà"  # full names live in first_name
    people["approver_a"].save()
    sub = services.submission_submit(
        actor=people["editor_a1"], unit=tree["ward_a1"], period=Period.nine_months(2023)
    )
    services.submission_approve(actor=people["approver_a"], submission=sub)
    [row] = describe(AuditEvent.objects.filter(action="submission.approve"))
    assert row.action == "Duyệt báo cáo"
    changes = {c.label: (c.before, c.after) for c in row.changes}
    assert changes["trạng thái"] == ("Đã nộp, chờ duyệt", "Đã duyệt (khóa số liệu)")
    assert changes["người xử lý"] == ("(trống)", "Trần Thu Hà")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", changes["xử lý lúc"][1])


def test_home_page_queries_do_not_grow_with_units(client, tree, people, records):
    """The home page reads a constant number of queries whatever the number of units the
    user edits, approves or sees (no query per unit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory, grant, make_unit

    user = UserFactory(username="many_hats")
    grant(user, tree["district_a"], Role.APPROVER)
    grant(user, tree["ward_a1"], Role.EDITOR)
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/bao-cao/viec-can-lam/").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    # More wards to approve and more units to edit, each with records and a report due.
    for i in range(4):
        ward = make_unit(f"Phường thêm {i}", tree["district_b"])
        grant(user, ward, Role.EDITOR)
        record(ward, "toa_dam", dt.date(2023, 4, 1 + i))
        grant(user, make_unit(f"Phường mới {i}", tree["district_a"]), Role.EDITOR)
    grant(user, tree["district_b"], Role.APPROVER)
    home = selectors.home_for(user=user, today=TODAY)
    assert len(home.due) >= 6 and len(home.late) >= 6
    assert queries() == before
    assert before <= 20


def test_change_log_shows_a_creation_as_values_and_drops_changes_that_read_the_same(
    client, tree, people, records
):
    from mattran.core.audit_display import describe
    from mattran.core.models import AuditEvent

    sub = services.submission_submit(
        actor=people["editor_a1"], unit=tree["ward_a1"], period=Period.nine_months(2023)
    )
    [created] = describe(AuditEvent.objects.filter(action="submission.submit"))
    assert created.is_creation and created.changes
    client.force_login(people["approver_a"])
    page = client.get(f"/don-vi/{tree['district_a'].pk}/nhat-ky/").content.decode()
    assert "Nộp báo cáo" in page and "(trống) →" not in page
    services.submission_approve(actor=people["approver_a"], submission=sub)
    [approved] = describe(AuditEvent.objects.filter(action="submission.approve"))
    assert not approved.is_creation
    assert all(c.before != c.after for c in approved.changes)
