import datetime as dt

import pytest

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.emulation import selectors, services
from mattran.emulation.models import AwardType, Commendation, ProposalStatus
from mattran.units.models import MemberOrganisation, Person

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


def _type(code):
    return AwardType.objects.get(code=code)


def test_award_types_are_installed():
    names = list(AwardType.objects.values_list("name", flat=True))
    assert names == [
        "Bằng khen của Ủy ban Trung ương MTTQ Việt Nam",
        "Bằng khen của Ủy ban MTTQ Việt Nam thành phố Hà Nội",
        "Cờ thi đua",
        "Giấy khen",
    ]


def _decision(tree, people, code="giay-khen", **kw):
    data = dict(
        actor=people["district_approver"],
        unit=tree["district_a"],
        award_type=_type(code),
        issuer="Ủy ban MTTQ Việt Nam quận A",
        achievement_year=2023,
        summary="Về việc tặng Giấy khen cho các tập thể có thành tích xuất sắc năm 2023",
        number="05/QĐ-MTTQ",
        signed_on=dt.date(2024, 1, 10),
    )
    data.update(kw)
    return services.decision_create(**data)


def test_decision_needs_number_and_date_unless_the_source_explains(tree, people):
    with pytest.raises(UserFacingError, match="Cần số và ngày ký"):
        _decision(tree, people, number="", signed_on=None)
    d = _decision(
        tree,
        people,
        number="",
        signed_on=None,
        source_note="Tin ngày 13/01/2023 không nêu số, ngày quyết định.",
    )
    assert str(d) == "Quyết định (chưa ghi số) – Giấy khen"
    with pytest.raises(UserFacingError, match="trước năm của thành tích"):
        _decision(tree, people, signed_on=dt.date(2022, 12, 1))
    with pytest.raises(UserFacingError, match="không có quyền"):
        _decision(tree, people, actor=people["ward_editor"])
    doc = _decision(tree, people, document=pdf_file("qd-05.pdf"))
    assert doc.document_name == "qd-05.pdf"


def test_recipients_collective_or_individual_with_history(tree, people, orgs):
    decision = _decision(tree, people)
    person = Person.objects.create(full_name="Phan Thị Thanh Hương")
    services.commendation_add(
        actor=people["district_approver"],
        decision=decision,
        recipient=services.Recipient(unit=tree["ward_a1"]),
        achievement="Dẫn đầu phong trào thi đua khối phường",
    )
    services.commendation_add(
        actor=people["district_approver"],
        decision=decision,
        recipient=services.Recipient(member_organisation=orgs[1]),
    )
    services.commendation_add(
        actor=people["district_approver"],
        decision=decision,
        recipient=services.Recipient(person=person, title="Chủ tịch Ủy ban MTTQ phường A1"),
    )
    with pytest.raises(UserFacingError, match="đúng một người nhận"):
        services.commendation_add(
            actor=people["district_approver"],
            decision=decision,
            recipient=services.Recipient(unit=tree["ward_a1"], person=person),
        )
    with pytest.raises(UserFacingError, match="không thuộc phạm vi"):
        services.commendation_add(
            actor=people["district_approver"],
            decision=decision,
            recipient=services.Recipient(unit=tree["ward_b1"]),
        )
    flag = _decision(tree, people, code="co-thi-dua", number="06/QĐ-MTTQ")
    with pytest.raises(UserFacingError, match="chỉ tặng cho tập thể"):
        services.commendation_add(
            actor=people["district_approver"],
            decision=flag,
            recipient=services.Recipient(person=person),
        )

    history = selectors.commendations_of_unit(user=people["viewer"], unit=tree["ward_a1"])
    assert [c.recipient_label for c in history] == ["Ủy ban MTTQ Việt Nam phường A1"]
    district = selectors.commendations_of_unit(user=people["viewer"], unit=tree["district_a"])
    assert [c.recipient_label for c in district] == ["Quận đoàn"]
    personal = selectors.commendations_of_person(user=people["viewer"], person=person)
    assert personal[0].recipient_label == "Phan Thị Thanh Hương, Chủ tịch Ủy ban MTTQ phường A1"
    assert (
        selectors.commendations_of_unit(user=people["other_approver"], unit=tree["ward_a1"]) == []
    )
    assert AuditEvent.objects.filter(action="commendation.add").count() == 3


def test_proposal_granted_by_a_decision(tree, people, orgs):
    proposal = services.proposal_create(
        actor=people["district_editor"],
        unit=tree["district_a"],
        year=2023,
        award_type=_type("bang-khen-tp-ha-noi"),
        recipient=services.Recipient(member_organisation=orgs[0]),
        achievement="Hoàn thành xuất sắc chương trình phối hợp năm 2023",
    )
    decision = _decision(tree, people, code="bang-khen-tp-ha-noi")
    services.commendation_add(
        actor=people["district_approver"], decision=decision, proposal=proposal
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED and proposal.decision == decision
    assert Commendation.objects.get().recipient_member_organisation == orgs[0]
    with pytest.raises(UserFacingError, match="đã được xử lý"):
        services.commendation_add(
            actor=people["district_approver"], decision=decision, proposal=proposal
        )
    other = services.proposal_create(
        actor=people["district_editor"],
        unit=tree["district_a"],
        year=2023,
        award_type=_type("giay-khen"),
        recipient=services.Recipient(unit=tree["ward_a2"]),
        achievement="x",
    )
    with pytest.raises(UserFacingError, match="khác của quyết định"):
        services.commendation_add(
            actor=people["district_approver"], decision=decision, proposal=other
        )
    services.proposal_reject(actor=people["district_approver"], proposal=other, reason="Chưa đủ")
    other.refresh_from_db()
    assert other.status == ProposalStatus.REJECTED


def test_decision_page_adds_pending_proposals_and_history_pages(client, tree, people, orgs):
    proposal = services.proposal_create(
        actor=people["district_editor"],
        unit=tree["district_a"],
        year=2023,
        award_type=_type("giay-khen"),
        recipient=services.Recipient(unit=tree["ward_a1"]),
        achievement="Xếp thứ nhất khối phường",
    )
    decision = _decision(tree, people)
    client.force_login(people["district_approver"])
    url = f"/thi-dua/khen-thuong/quyet-dinh/{decision.pk}/"
    assert "Xếp thứ nhất khối phường" not in client.get(url).content.decode()
    assert client.post(url, {"proposals": [proposal.pk]}).status_code == 302
    assert "Ủy ban MTTQ Việt Nam phường A1" in client.get(url).content.decode()
    history = client.get(f"/thi-dua/khen-thuong/don-vi/{tree['ward_a1'].pk}/")
    assert "05/QĐ-MTTQ" in history.content.decode()
    client.force_login(people["other_approver"])
    assert client.get(url).status_code == 404
    assert client.get(f"/thi-dua/khen-thuong/don-vi/{tree['ward_a1'].pk}/").status_code == 404


def test_decision_form_creates_a_decision(client, tree, people):
    client.force_login(people["district_approver"])
    url = f"/thi-dua/khen-thuong/quyet-dinh/them/{tree['district_a'].pk}/"
    response = client.post(
        url,
        {
            "award_type": _type("co-thi-dua").pk,
            "issuer": "Ủy ban MTTQ Việt Nam quận A",
            "number": "07/QĐ-MTTQ",
            "signed_on": "2024-01-12",
            "achievement_year": 2023,
            "summary": "Về việc tặng Cờ thi đua năm 2023",
        },
    )
    assert response.status_code == 302
    client.force_login(people["viewer"])
    assert client.get(url).status_code == 404


def test_person_history_is_visible_only_through_visible_records(client, tree, people):
    person = Person.objects.create(full_name="Khổng Minh Thảo")
    decision = _decision(tree, people)
    services.commendation_add(
        actor=people["district_approver"],
        decision=decision,
        recipient=services.Recipient(person=person, title="Chủ tịch Ủy ban MTTQ quận A"),
    )
    client.force_login(people["viewer"])
    response = client.get(f"/thi-dua/khen-thuong/ca-nhan/{person.pk}/")
    assert response.status_code == 200 and "Khổng Minh Thảo" in response.content.decode()
    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/khen-thuong/ca-nhan/{person.pk}/").status_code == 404


def test_member_org_of_another_unit_cannot_be_proposed(tree, people):
    org_b = MemberOrganisation.objects.create(unit=tree["district_b"], name="Hội ở quận B")
    with pytest.raises(UserFacingError, match="không thuộc phạm vi"):
        services.proposal_create(
            actor=people["district_editor"],
            unit=tree["district_a"],
            year=2023,
            award_type=_type("giay-khen"),
            recipient=services.Recipient(member_organisation=org_b),
            achievement="x",
        )
