"""One user action, one service, one transaction (issue 13): the emulation pages
whose action has several steps (a proposal for a person not recorded yet; a score
sheet created, self-scored and submitted) leave nothing behind when a later step
is refused, whether the refusal is a rule or a failure forced into the last step."""

import pytest

from mattran.core.errors import UserFacingError
from mattran.emulation.models import CommendationProposal, ScoreSheet
from mattran.emulation.services import sheets
from mattran.units.models import Person
from tests.factories import row_counts


def _refused(*args, **kwargs):
    raise UserFacingError("Bước sau bị từ chối (thử nghiệm).")


def _proposal_data(award_code="giay-khen"):
    from mattran.emulation.models import AwardType

    return {
        "award_type": AwardType.objects.get(code=award_code).pk,
        "year": 2023,
        "person_name": "Lê Thị Mới Ghi",
        "person_title": "Chủ tịch Hội Phụ nữ phường A1",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2023",
    }


def _sheet_data(action="submit", **points):
    from mattran.emulation.models import Criterion

    data = {"action": action}
    for c in Criterion.objects.all():
        data[f"self_{c.pk}"] = str(points.get(c.code, 0))
    return data


def test_a_proposal_for_a_new_person_is_one_transaction(client, tree, people, monkeypatch):
    client.force_login(people["district_editor"])
    url = f"/thi-dua/khen-thuong/de-nghi/them/{tree['district_a'].pk}/"
    # A rule refuses it after the person was recorded: a flag goes to collectives only.
    before = row_counts()
    response = client.post(url, _proposal_data("co-thi-dua"))
    assert response.status_code == 200 and "chỉ tặng cho tập thể" in response.content.decode()
    assert row_counts() == before
    # The last step itself fails.
    monkeypatch.setattr(CommendationProposal, "save", _refused)
    response = client.post(url, _proposal_data())
    assert "Bước sau bị từ chối" in response.content.decode()
    assert row_counts() == before
    # Nothing refused: the person and the proposal together.
    monkeypatch.undo()
    assert client.post(url, _proposal_data()).status_code == 302
    proposal = CommendationProposal.objects.get()
    assert proposal.recipient_person == Person.objects.get(full_name="Lê Thị Mới Ghi")


def test_the_score_sheet_is_one_transaction(client, tree, people, pledge, monkeypatch):
    client.force_login(people["ward_editor"])
    url = f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{tree['ward_a1'].pk}/"
    assert not ScoreSheet.objects.exists()
    before = row_counts()
    # Self-scoring a requirement without its evidence is refused: no sheet is left
    # (it used to be created before the scores were checked).
    response = client.post(url, _sheet_data("self", CT2=30), follow=True)
    assert "cần nộp minh chứng" in response.content.decode()
    assert row_counts() == before
    # The submission (the last step) fails: the scores and the sheet go with it.
    monkeypatch.setattr(sheets, "sheet_submit", _refused)
    response = client.post(url, _sheet_data(), follow=True)
    assert "Bước sau bị từ chối" in response.content.decode()
    assert row_counts() == before
    monkeypatch.undo()
    response = client.post(url, _sheet_data())
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert sheet.status == "submitted" and sheet.scores.count() == 3


@pytest.mark.parametrize("action", ["self", "submit"])
def test_input_that_is_not_a_number_writes_nothing(client, tree, people, pledge, action):
    client.force_login(people["ward_editor"])
    url = f"/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{tree['ward_a1'].pk}/"
    before = row_counts()
    data = _sheet_data(action)
    data[next(k for k in data if k.startswith("self_"))] = "mười"
    response = client.post(url, data, follow=True)
    assert "không phải là số" in response.content.decode()
    assert row_counts() == before
