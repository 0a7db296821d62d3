import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.emulation import measures, services
from mattran.emulation.models import CoordinationProgram, KeyTask, ProgramStatus, SignatorySide
from mattran.units.models import MemberOrganisation

from .conftest import docx_file, pdf_file, png_file

pytestmark = pytest.mark.django_db


def _task(tree, people, text="Nhiệm vụ", **kw):
    return services.key_task_create(
        actor=people["district_editor"], unit=tree["district_a"], year=2023, text=text, **kw
    )


def test_key_tasks_are_ordered_edited_moved_and_audited(tree, people, orgs):
    t1 = _task(tree, people, "Chú trọng  đổi mới,\n nâng cao chất lượng")
    t2 = _task(tree, people, "Tích cực tham gia xây dựng Đảng", owner_member_organisation=orgs[1])
    t3 = _task(tree, people, "Thực hiện tốt công tác tôn giáo")
    assert [t.order for t in (t1, t2, t3)] == [1, 2, 3]
    assert t1.text == "Chú trọng đổi mới,\nnâng cao chất lượng"
    assert t2.owner == orgs[1]

    services.key_task_move(actor=people["district_editor"], task=t3, step=-1)
    order = list(KeyTask.objects.filter(unit=tree["district_a"]).values_list("text", flat=True))
    assert order[1] == "Thực hiện tốt công tác tôn giáo"

    services.key_task_update(
        actor=people["district_editor"],
        task=t2,
        text="Tích cực tham gia xây dựng Đảng, xây dựng chính quyền",
        measures=[("ke_hoach.chuong_trinh_phoi_hop", 2)],
    )
    t2.refresh_from_db()
    assert t2.owner is None
    # stored as the figure key the old measure key stands for
    assert list(t2.measures.values_list("measure_key", "target")) == [
        ("emulation.programs_signed", 2)
    ]

    services.key_task_delete(actor=people["district_editor"], task=t1)
    assert list(
        KeyTask.objects.filter(unit=tree["district_a"])
        .order_by("order")
        .values_list("order", flat=True)
    ) == [1, 2]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"key_task.create", "key_task.move", "key_task.update", "key_task.delete"} <= actions


def test_key_task_rules(tree, people, orgs):
    with pytest.raises(UserFacingError, match="không được để trống"):
        _task(tree, people, "   ")
    other = MemberOrganisation.objects.create(unit=tree["district_b"], name="Hội ở quận B")
    with pytest.raises(UserFacingError, match="không phải tổ chức thành viên"):
        _task(tree, people, owner_member_organisation=other)
    with pytest.raises(UserFacingError, match="không tồn tại"):
        _task(tree, people, measures=[("khong.co", None)])
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.key_task_create(
            actor=people["viewer"], unit=tree["district_a"], year=2023, text="x"
        )
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.key_task_create(
            actor=people["ward_editor"], unit=tree["district_a"], year=2023, text="x"
        )


def _program(tree, people, org):
    program = services.program_create(
        actor=people["district_editor"],
        unit=tree["district_a"],
        member_organisation=org,
        year=2023,
        title="Chương trình phối hợp công tác năm 2023",
    )
    services.program_item_add(
        actor=people["district_editor"], program=program, content="Phối hợp tuyên truyền"
    )
    return program


def test_program_signing_needs_items_and_both_signatories_then_freezes(tree, people, orgs):
    editor = people["district_editor"]
    program = _program(tree, people, orgs[0])
    with pytest.raises(UserFacingError, match="cả Ủy ban MTTQ và tổ chức thành viên"):
        services.program_sign(actor=editor, program=program, signed_on=dt.date(2023, 1, 13))
    services.program_signatory_add(
        actor=editor, program=program, side=SignatorySide.COMMITTEE, full_name="A", title="Chủ tịch"
    )
    services.program_signatory_add(
        actor=editor, program=program, side=SignatorySide.MEMBER_ORG, title="Chủ tịch Hội CCB"
    )
    with pytest.raises(UserFacingError, match="không khớp với năm"):
        services.program_sign(actor=editor, program=program, signed_on=dt.date(2025, 1, 1))
    services.program_sign(actor=editor, program=program, signed_on=dt.date(2023, 1, 13))
    program.refresh_from_db()
    assert program.status == ProgramStatus.SIGNED
    with pytest.raises(UserFacingError, match="đã ký kết"):
        services.program_item_add(actor=editor, program=program, content="Thêm sau khi ký")
    # the signed scan may still be attached later
    services.program_document_attach(actor=editor, program=program, file=pdf_file())
    program.refresh_from_db()
    assert program.document.name.startswith("thi-dua/chuong-trinh/")
    assert program.document_name == "van-ban.pdf"
    with pytest.raises(UserFacingError, match="Đã có chương trình"):
        _program(tree, people, orgs[0])


def test_program_member_org_must_belong_to_the_committee(tree, people):
    other = MemberOrganisation.objects.create(unit=tree["district_b"], name="Hội ở quận B")
    with pytest.raises(UserFacingError, match="không phải tổ chức thành viên"):
        services.program_create(
            actor=people["district_editor"],
            unit=tree["district_a"],
            member_organisation=other,
            year=2023,
            title="x",
        )


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("a.pdf", b"not a pdf at all"), "không phải PDF"),
        (SimpleUploadedFile("a.docx", b"PK\x03\x04broken"), "DOCX"),
        (SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nnope"), "không phải là ảnh"),
        (SimpleUploadedFile("a.exe", b"MZ"), "Chỉ nhận tệp PDF, DOCX"),
        (SimpleUploadedFile("a.pdf", b""), "rỗng"),
    ],
)
def test_signed_document_is_checked_by_content(tree, people, orgs, upload, message):
    program = _program(tree, people, orgs[0])
    with pytest.raises(UserFacingError, match=message):
        services.program_document_attach(
            actor=people["district_editor"], program=program, file=upload
        )
    program.refresh_from_db()
    assert not program.document


def test_signed_document_size_limit_and_accepted_formats(tree, people, orgs, settings):
    program = _program(tree, people, orgs[0])
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"document": 1000}
    with pytest.raises(UserFacingError, match="quá lớn"):
        services.program_document_attach(
            actor=people["district_editor"], program=program, file=pdf_file(size=2000)
        )
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"document": 10 * 1024 * 1024}
    for upload in (docx_file(), png_file()):
        services.program_document_attach(
            actor=people["district_editor"], program=program, file=upload
        )
    program.refresh_from_db()
    assert program.document_name == "anh.png"


def test_programs_for_all_member_orgs_from_key_tasks(tree, people, orgs):
    _task(tree, people, "Nhiệm vụ một")
    _task(tree, people, "Nhiệm vụ hai")
    created = services.programs_create_for_all(
        actor=people["district_editor"], unit=tree["district_a"], year=2023
    )
    assert len(created) == 2
    doan = CoordinationProgram.objects.get(member_organisation=orgs[1])
    assert doan.title == (
        "Chương trình phối hợp công tác năm 2023 giữa Ủy ban MTTQ Việt Nam quận A và Quận đoàn"
    )
    assert list(doan.items.values_list("content", flat=True)) == ["Nhiệm vụ một", "Nhiệm vụ hai"]
    assert all(i.key_task_id for i in doan.items.all())
    sig = doan.signatories.get(side=SignatorySide.MEMBER_ORG)
    assert (sig.full_name, sig.title) == ("Nguyễn Văn Đoàn", "Bí thư Quận đoàn")
    # a second call adds nothing
    assert (
        services.programs_create_for_all(
            actor=people["district_editor"], unit=tree["district_a"], year=2023
        )
        == []
    )


def test_programs_signed_measure_counts_each_subtree_in_one_query(
    tree, people, orgs, django_assert_max_num_queries
):
    program = _program(tree, people, orgs[0])
    for side in SignatorySide.values:
        services.program_signatory_add(
            actor=people["district_editor"], program=program, side=side, title="x"
        )
    services.program_sign(
        actor=people["district_editor"], program=program, signed_on=dt.date(2023, 1, 13)
    )
    m = measures.get("ke_hoach.chuong_trinh_phoi_hop")
    units = [tree["district_a"], tree["district_b"]]
    # lineage, the grouped programme query, entered totals
    with django_assert_max_num_queries(3):
        values = m.compute(units, Period.year(2023))
    assert values == {tree["district_a"].pk: 1, tree["district_b"].pk: 0}
    assert m.compute(units, Period.year(2022))[tree["district_a"].pk] == 0


# ------------------------------------------------------------------------------- views


def test_planning_page_shows_tasks_with_progress_in_bounded_queries(
    client, tree, people, orgs, django_assert_max_num_queries
):
    for i in range(6):
        _task(tree, people, f"Nhiệm vụ {i}", measures=[("ke_hoach.chuong_trinh_phoi_hop", 2)])
    services.programs_create_for_all(
        actor=people["district_editor"], unit=tree["district_a"], year=2023
    )
    client.force_login(people["viewer"])
    with django_assert_max_num_queries(16):
        response = client.get(f"/thi-dua/ke-hoach/{tree['district_a'].pk}/2023/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhiệm vụ 5" in html
    assert "0 chương trình" in html  # programs are drafts: none signed yet
    assert "Thêm nhiệm vụ" not in html  # a viewer cannot edit


def test_planning_page_of_another_district_is_404(client, tree, people):
    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/ke-hoach/{tree['district_a'].pk}/2023/").status_code == 404


def test_key_task_form_creates_and_viewer_gets_404(client, tree, people, orgs):
    url = f"/thi-dua/ke-hoach/{tree['district_a'].pk}/2023/them-nhiem-vu/"
    client.force_login(people["viewer"])
    assert client.get(url).status_code == 404
    client.force_login(people["district_editor"])
    response = client.post(
        url, {"text": "Thực hiện tốt công tác tôn giáo", "owner_member_organisation": orgs[0].pk}
    )
    assert response.status_code == 302
    assert KeyTask.objects.get().owner_member_organisation == orgs[0]
    response = client.post(
        url,
        {
            "text": "Hai người phụ trách",
            "owner_member_organisation": orgs[0].pk,
            "owner_person": orgs[1].head_id,
        },
    )
    assert response.status_code == 200
    assert "không chọn cả hai" in response.content.decode()


def test_program_page_upload_and_download_respect_visibility(client, tree, people, orgs):
    program = _program(tree, people, orgs[0])
    client.force_login(people["district_editor"])
    response = client.post(
        f"/thi-dua/chuong-trinh/{program.pk}/",
        {"action": "document", "doc-file": pdf_file("Chương trình đã ký.pdf")},
    )
    assert response.status_code == 302
    download = client.get(f"/thi-dua/chuong-trinh/{program.pk}/van-ban/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]

    bad = client.post(
        f"/thi-dua/chuong-trinh/{program.pk}/",
        {"action": "document", "doc-file": SimpleUploadedFile("x.pdf", b"<html>")},
    )
    assert "không phải PDF" in bad.content.decode()

    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/chuong-trinh/{program.pk}/").status_code == 404
    assert client.get(f"/thi-dua/chuong-trinh/{program.pk}/van-ban/").status_code == 404


def test_member_org_reporter_activities_show_under_the_program_and_count(
    client, tree, people, orgs
):
    from django.apps import apps

    from mattran.access.models import Role
    from mattran.activities import services as activities
    from mattran.activities.catalogue import install
    from mattran.activities.models import ActivityType
    from tests.factories import UserFactory, grant

    install(apps)
    program = _program(tree, people, orgs[0])
    reporter = UserFactory(username="bao.cao.ccb")
    grant(reporter, tree["district_a"], Role.MEMBER_ORG_REPORTER, member_organisation=orgs[0])
    activities.activity_record_create(
        actor=reporter,
        unit=tree["district_a"],
        type=ActivityType.objects.get(code="tuyen_truyen"),
        date=dt.date(2023, 7, 27),
        title="Tuyên truyền kỷ niệm Ngày Thương binh – Liệt sĩ",
        attendance=150,
        member_organisation=orgs[0],
    )
    client.force_login(people["viewer"])
    html = client.get(f"/thi-dua/chuong-trinh/{program.pk}/").content.decode()
    assert "Tuyên truyền kỷ niệm Ngày Thương binh – Liệt sĩ" in html
    assert "Hoạt động đã thực hiện theo chương trình (1)" in html
    # and it counts in the committee's figures
    sessions = measures.get("hoat_dong.tuyen_truyen")
    assert sessions.compute([tree["district_a"]], Period.year(2023)) == {tree["district_a"].pk: 1}
