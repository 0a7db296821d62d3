"""Commendations in bulk (issue 11, item 6): one decision, many recipients pasted or
uploaded, collectives (units, residential areas, member organisations) and
individuals; award types per province and level, as data."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from mattran.core.errors import ImportValidationError
from mattran.emulation import services
from mattran.emulation.forms import DecisionForm, ProposalForm
from mattran.emulation.models import AwardType, Commendation
from mattran.emulation.recipients import lines_from_text, lines_from_xlsx, recipients_resolve
from mattran.units.models import MemberOrganisation
from tests.factories import make_unit


@pytest.fixture
def decision(tree):
    make_unit("Tổ dân phố 1", tree["ward_a2"])  # the same name as A1's residential area
    MemberOrganisation.objects.create(unit=tree["district_a"], name="Hội Liên hiệp Phụ nữ quận")
    return services.decision_create(
        actor=None, unit=tree["district_a"], award_type=AwardType.objects.get(code="giay-khen"),
        issuer="Ủy ban MTTQ Việt Nam Quận A", number="12/QĐ-MTTQ", signed_on=dt.date(2024, 1, 5),
        achievement_year=2023, summary="Tặng giấy khen",
    )  # fmt: skip


PASTED = (
    "Phường A1\tTập thể\tDẫn đầu phong trào\n"
    "Tổ dân phố 1 (Phường A2)\t\tKhu dân cư tiêu biểu\n"
    "\n"
    "Hội Liên hiệp Phụ nữ quận;;Hoàn thành xuất sắc\n"
    "Nguyễn Thị Lan; Chủ tịch UBMTTQ Phường A1; Có nhiều đóng góp\n"
)


def test_pasted_lines_become_collectives_and_individuals(decision, tree):
    lines = recipients_resolve(
        scope=decision.unit, award_type=decision.award_type, lines=lines_from_text(PASTED)
    )
    services.commendations_add_many(actor=None, decision=decision, lines=lines)
    got = [
        (c.recipient_label, c.is_collective, c.achievement)
        for c in Commendation.objects.filter(decision=decision).order_by("id")
    ]
    assert [g[1] for g in got] == [True, True, True, False]
    assert (
        Commendation.objects.get(achievement="Khu dân cư tiêu biểu").recipient_unit.parent
        == (tree["ward_a2"])
    )
    assert got[3][0] == "Nguyễn Thị Lan, Chủ tịch UBMTTQ Phường A1"


def test_every_bad_line_is_named_and_nothing_is_added(decision, tree):
    text = "Tổ dân phố 1\nPhường B1\n;Chức danh\n"
    collective = AwardType.objects.get(code="co-thi-dua")
    with pytest.raises(ImportValidationError) as err:
        recipients_resolve(scope=decision.unit, award_type=collective, lines=lines_from_text(text))
    messages = [str(e) for e in err.value.errors]
    assert messages[0].startswith("Dòng 1, cột 'Tên tập thể hoặc cá nhân': có 2 đơn vị tên")
    assert "Ghi thêm đơn vị cấp trên trong ngoặc" in messages[0]
    assert "không tìm thấy tập thể “Phường B1”" in messages[1]  # another district
    assert messages[2] == "Dòng 3, cột 'Tên tập thể hoặc cá nhân': chưa ghi tên"
    assert not Commendation.objects.exists()


def test_sixty_eight_recipients_from_an_xlsx_in_one_go(client, decision, tree, django_user_model):
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên tập thể hoặc cá nhân", "Chức danh / đơn vị công tác", "Thành tích"])
    for i in range(66):
        ws.append([f"Cán bộ số {i}", "Tổ trưởng tổ dân phố", "Tích cực"])
    ws.append(["Phường A1", None, None])
    ws.append(["Phường A2", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    assert len(lines_from_xlsx(buf.getvalue())) == 68
    admin = django_user_model.objects.create_superuser("khen", password="x-Khen-2024-x")
    client.force_login(admin)
    buf.seek(0)
    buf.name = "khen.xlsx"
    response = client.post(
        f"/thi-dua/khen-thuong/quyet-dinh/{decision.pk}/them-nhieu/", {"file": buf}
    )
    assert response.status_code == 302
    assert Commendation.objects.filter(decision=decision).count() == 68
    page = client.get(response["Location"]).content.decode()
    assert "Đã thêm 68 người, tập thể được khen (2 tập thể, 66 cá nhân)." in page


def test_award_types_are_per_province_and_a_district_may_propose_a_residential_area(tree):
    AwardType.objects.create(
        code="bang-khen-ha-nam", name="Bằng khen của Ủy ban MTTQ Việt Nam tỉnh Hà Nam",
        province_code="35", issuer_level=1,
    )  # fmt: skip
    names = {a.code for a in DecisionForm(unit=tree["district_a"]).fields["award_type"].queryset}
    assert "bang-khen-ha-nam" not in names and "bang-khen-tp-ha-noi" not in names  # code "91"
    assert {"bang-khen-tw", "giay-khen"} <= names
    assert AwardType.objects.get(code="bang-khen-tp-ha-noi").province_code == "01"
    form = ProposalForm(unit=tree["district_a"])
    assert tree["area_a1"] in form.fields["recipient_unit"].queryset
    labels = [label for _, label in form.fields["recipient_unit"].choices]
    assert "Tổ dân phố 1 (Phường A1)" in labels
