"""Every page answers 200 to whoever may see it and 404 to others, never 500."""

import datetime as dt

import pytest

from mattran.emulation import services
from mattran.emulation.models import AwardType, ConferenceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(tree, people, orgs, pledge):
    editor = people["district_editor"]
    draft = services.pledge_create(actor=editor, unit=tree["district_a"], year=2024, title="Nháp")
    task = services.key_task_create(actor=editor, unit=tree["district_a"], year=2023, text="NV")
    program = services.programs_create_for_all(actor=editor, unit=tree["district_a"], year=2023)[0]
    decision = services.decision_create(
        actor=editor,
        unit=tree["district_a"],
        award_type=AwardType.objects.get(code="giay-khen"),
        issuer="Ủy ban MTTQ Việt Nam quận A",
        number="1/QĐ",
        signed_on=dt.date(2024, 1, 2),
        achievement_year=2023,
        summary="Tặng giấy khen",
    )
    conference = services.conference_create(
        actor=editor,
        unit=tree["district_a"],
        data=services.ConferenceInput(
            kind=ConferenceKind.OTHER, title="Hội nghị", held_on=dt.date(2023, 3, 1)
        ),
    )
    criterion = pledge.criteria.get(code="CT1")
    a = tree["district_a"].pk
    a1 = tree["ward_a1"].pk
    return [
        "/thi-dua/",
        "/thi-dua/?q=phuong",
        f"/thi-dua/ke-hoach/{a}/2023/",
        f"/thi-dua/ke-hoach/{a1}/2023/",
        f"/thi-dua/ke-hoach/{a}/2023/them-nhiem-vu/",
        f"/thi-dua/nhiem-vu/{task.pk}/sua/",
        f"/thi-dua/ke-hoach/{a}/2023/them-chuong-trinh/",
        f"/thi-dua/chuong-trinh/{program.pk}/",
        f"/thi-dua/ke-hoach/{a}/2023/tao-giao-uoc/",
        f"/thi-dua/ke-hoach/{a}/2023/tao-cum/",
        f"/thi-dua/giao-uoc/{pledge.pk}/",
        f"/thi-dua/giao-uoc/{draft.pk}/",
        f"/thi-dua/giao-uoc/{draft.pk}/them-tieu-chi/",
        f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/",
        f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/?as_of=2023-06-30",
        f"/thi-dua/giao-uoc/{pledge.pk}/xep-loai/",
        f"/thi-dua/giao-uoc/{pledge.pk}/so-lieu/",
        f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{a1}/",
        f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang/",
        f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang.xlsx",
        f"/thi-dua/giao-uoc/{pledge.pk}/xep-hang.docx",
        f"/thi-dua/tieu-chi/{criterion.pk}/sua/",
        f"/thi-dua/tieu-chi/{criterion.pk}/chi-tieu/",
        "/thi-dua/khen-thuong/de-nghi/",
        f"/thi-dua/khen-thuong/de-nghi/them/{a}/",
        f"/thi-dua/khen-thuong/quyet-dinh/them/{a}/",
        f"/thi-dua/khen-thuong/quyet-dinh/{decision.pk}/",
        f"/thi-dua/khen-thuong/don-vi/{a1}/",
        f"/thi-dua/hoi-nghi/them/{a}/",
        f"/thi-dua/hoi-nghi/{conference.pk}/",
        f"/thi-dua/hoi-nghi/{conference.pk}/sua/",
        "/tin-tuc/",
        "/tin-tuc/quan-ly/",
        f"/tin-tuc/quan-ly/them/{a}/",
    ]


@pytest.mark.parametrize(
    "user",
    [
        "district_editor",
        "district_approver",
        "district_admin",
        "ward_editor",
        "viewer",
        "other_approver",
    ],
)
def test_no_page_fails(client, people, everything, user):
    client.force_login(people[user])
    for url in everything:
        response = client.get(url)
        assert response.status_code in (200, 404), (user, url, response.status_code)
        if (
            user == "other_approver"
            and "/thi-dua/" in url
            and url
            not in (
                "/thi-dua/",
                "/thi-dua/?q=phuong",
                "/thi-dua/khen-thuong/de-nghi/",
            )
        ):
            assert response.status_code == 404, (user, url)


def test_organiser_pages_answer_200(client, people, everything):
    client.force_login(people["district_admin"])
    for url in everything:
        assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_login(client, everything):
    for url in everything:
        response = client.get(url)
        if url.startswith("/tin-tuc/") and "quan-ly" not in url:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
