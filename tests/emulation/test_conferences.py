import datetime as dt

import pytest

from mattran.core.errors import UserFacingError
from mattran.emulation import selectors, services
from mattran.emulation.models import AwardType, ConferenceKind
from mattran.news.drafting import draft_from_conference
from mattran.units.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(tree, people, orgs, pledge):
    editor = people["district_editor"]
    chair = Person.objects.create(full_name="Trần Văn Chủ")
    services.key_task_create(
        actor=editor, unit=tree["district_a"], year=2023, text="Tích cực tham gia xây dựng Đảng"
    )
    services.key_task_create(
        actor=editor, unit=tree["district_a"], year=2023, text="Thực hiện tốt công tác tôn giáo"
    )
    programs = services.programs_create_for_all(actor=editor, unit=tree["district_a"], year=2023)
    decision = services.decision_create(
        actor=editor,
        unit=tree["district_a"],
        award_type=AwardType.objects.get(code="bang-khen-tp-ha-noi"),
        issuer="Ủy ban MTTQ Việt Nam thành phố Hà Nội",
        achievement_year=2022,
        summary="Tặng Bằng khen",
        source_note="Tin không nêu số quyết định.",
    )
    services.commendation_add(
        actor=editor, decision=decision, recipient=services.Recipient(unit=tree["ward_a1"])
    )
    c = services.conference_create(
        actor=editor,
        unit=tree["district_a"],
        data=services.ConferenceInput(
            kind=ConferenceKind.LAUNCH,
            title="Hội nghị phát động thi đua năm 2023",
            held_on=dt.date(2023, 1, 13),
            starts_at=dt.time(8, 0),
            place="Hội trường quận",
            chair=chair,
            chair_title="Chủ tịch Ủy ban MTTQ Việt Nam quận",
            key_task_year=2023,
        ),
    )
    services.conference_attendee_add(
        actor=editor,
        conference=c,
        full_name="Lê Thị Khách",
        title="Phó Bí thư Thường trực Quận ủy",
        is_guest=True,
    )
    services.conference_attendee_add(
        actor=editor, conference=c, title="Trưởng các Tổ chức thành viên", headcount=16
    )
    services.conference_agenda_add(
        actor=editor,
        conference=c,
        content="phát biểu hưởng ứng thay mặt các tổ chức thành viên",
        speaker="Nguyễn Văn Đoàn – Bí thư Quận đoàn",
    )
    services.conference_links_set(
        actor=editor, conference=c, pledges=[pledge], programs=programs, decisions=[decision]
    )
    return c


def test_conference_record_and_its_draft_article(conference, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        record = selectors.conference_record(conference=conference)
        draft = draft_from_conference(record)
    assert draft.title == (
        "Ủy ban MTTQ Việt Nam quận A tổ chức Hội nghị phát động thi đua năm 2023"
    )
    body = draft.body
    assert body.startswith(
        "Sáng 13/01/2023, Ủy ban MTTQ Việt Nam quận A tổ chức Hội nghị phát động thi đua năm "
        "2023 tại Hội trường quận. Dự Hội nghị có đồng chí Lê Thị Khách – Phó Bí thư Thường trực "
        "Quận ủy cùng sự có mặt của 16 vị là Trưởng các Tổ chức thành viên."
    )
    assert (
        "nhấn mạnh 02 nhiệm vụ trọng tâm cần tập trung trong năm 2023, đó là: Tích cực tham gia "
        "xây dựng Đảng; Thực hiện tốt công tác tôn giáo." in body
    )
    assert "03 chỉ tiêu trọng tâm" in body
    assert "Đồng chí Nguyễn Văn Đoàn – Bí thư Quận đoàn phát biểu hưởng ứng" in body
    assert "chương trình phối hợp công tác năm 2023 giữa Ủy ban MTTQ Việt Nam quận A với 02" in body
    assert "giao ước thi đua năm 2023 giữa Ủy ban MTTQ 2 phường" in body
    assert "trao bằng khen của Ủy ban MTTQ Việt Nam thành phố Hà Nội cho 01 tập thể" in body
    assert "năm 2022" in body
    assert draft.author_line == "Ủy ban MTTQ Việt Nam quận"


def test_conference_links_must_stay_within_the_unit(conference, tree, people):
    other = services.pledge_create(
        actor=_b_editor(tree),
        unit=tree["district_b"],
        year=2023,
        title="GU quận B",
    )
    with pytest.raises(UserFacingError, match="không thuộc"):
        services.conference_links_set(
            actor=people["district_editor"], conference=conference, pledges=[other]
        )


def _b_editor(tree):
    from mattran.access.models import Role
    from tests.factories import UserFactory, grant

    user = UserFactory(username="bien.tap.b")
    grant(user, tree["district_b"], Role.EDITOR)
    return user


def test_conference_page_and_draft_button(client, conference, people):
    client.force_login(people["viewer"])
    response = client.get(f"/thi-dua/hoi-nghi/{conference.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lê Thị Khách" in html and "16 người" in html
    assert "Soạn tin từ hội nghị" not in html
    assert client.post(f"/tin-tuc/quan-ly/tu-hoi-nghi/{conference.pk}/").status_code == 404
    client.force_login(people["district_editor"])
    response = client.post(f"/tin-tuc/quan-ly/tu-hoi-nghi/{conference.pk}/")
    assert response.status_code == 302
    from mattran.news.models import Article

    article = Article.objects.get()
    assert article.source_conference == conference
    assert article.status == "draft"
    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/hoi-nghi/{conference.pk}/").status_code == 404


def test_conference_form(client, tree, people):
    client.force_login(people["district_editor"])
    response = client.post(
        f"/thi-dua/hoi-nghi/them/{tree['district_a'].pk}/",
        {
            "kind": ConferenceKind.REVIEW,
            "title": "Hội nghị sơ kết công tác Mặt trận 9 tháng đầu năm 2023",
            "held_on": "2023-09-14",
            "starts_at": "14:00",
        },
    )
    assert response.status_code == 302
    client.force_login(people["viewer"])
    assert client.get(f"/thi-dua/hoi-nghi/them/{tree['district_a'].pk}/").status_code == 404


def test_attendee_history_page_is_visible_through_the_conference(client, conference, people):
    guest = Person.objects.create(full_name="Nguyễn Minh Tiến")
    services.conference_attendee_add(
        actor=people["district_editor"],
        conference=conference,
        person=guest,
        title="Phó Bí thư Thường trực Quận ủy, Chủ tịch HĐND quận",
        is_guest=True,
    )
    client.force_login(people["viewer"])
    page = client.get(f"/thi-dua/hoi-nghi/{conference.pk}/").content.decode()
    assert f"/thi-dua/khen-thuong/ca-nhan/{guest.pk}/" in page
    assert client.get(f"/thi-dua/khen-thuong/ca-nhan/{guest.pk}/").status_code == 200
    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/khen-thuong/ca-nhan/{guest.pk}/").status_code == 404
