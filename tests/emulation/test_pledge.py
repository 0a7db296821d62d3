import datetime as dt
from decimal import Decimal

import pytest

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.emulation import measures, selectors, services
from mattran.emulation.models import (
    Criterion,
    CriterionKind,
    PledgeStatus,
    Rating,
)
from mattran.emulation.scoring import Status, assess, format_points, rank
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

D = Decimal


# ----------------------------------------------------------------------- pure scoring


def _criterion(kind, points=20, **kw):
    return Criterion(kind=kind, points=D(points), code="CT", **kw)


def test_quota_met_exceeded_partial_and_penalty():
    c = _criterion(CriterionKind.QUOTA, bonus_points=D(5), partial_credit=True)
    assert assess(c, value=100, target=100).status == Status.MET
    assert assess(c, value=100, target=100).points == D(20)
    exceeded = assess(c, value=101, target=100)
    assert (exceeded.status, exceeded.points) == (Status.EXCEEDED, D(25))
    partial = assess(c, value=75, target=100)
    assert (partial.status, partial.points, partial.percent) == (Status.NOT_MET, D(15), 75)
    assert assess(c, value=1, target=3).points == D("6.67")  # rounded half-up to 0.01
    strict = _criterion(CriterionKind.THRESHOLD, penalty_points=D(2))
    assert assess(strict, value=99, target=100).points == D(-2)
    assert assess(strict, value=None, target=100).status == Status.NO_DATA
    assert assess(strict, value=5, target=None).status == Status.NO_TARGET


def test_range_and_requirement_and_rating():
    r = _criterion(CriterionKind.RANGE)
    assert assess(r, value=1, target=2, target_max=4).status == Status.NOT_MET
    assert assess(r, value=3, target=2, target_max=4).points == D(20)
    above = assess(r, value=5, target=2, target_max=4)
    assert above.met and "vượt mức tối đa" in above.note
    req = _criterion(CriterionKind.REQUIREMENT, penalty_points=D(5))
    assert assess(req, has_evidence=True).points == D(20)
    assert assess(req, has_evidence=False).points == D(-5)
    rating = _criterion(CriterionKind.RATING, points_good=D(16), points_done=D(8))
    assert assess(rating, rating=Rating.EXCELLENT).points == D(20)
    assert assess(rating, rating=Rating.GOOD).points == D(16)
    assert assess(rating, rating=Rating.DONE).met is False
    assert assess(rating, rating=Rating.NOT_DONE).points == D(0)
    assert assess(rating, rating=None).status == Status.NO_DATA


def test_competition_ranking_with_ties():
    ranked = rank([(1, D(90)), (2, D(95)), (3, D(90)), (4, D("88.5")), (5, D(95))])
    assert [(r.unit_id, r.rank, r.tied) for r in ranked] == [
        (2, 1, True),
        (5, 1, True),
        (1, 3, True),
        (3, 3, True),
        (4, 5, False),
    ]
    assert format_points(D("88.50")) == "88,5"
    assert format_points(D("100.00")) == "100"
    assert format_points(None) == "—"


# ---------------------------------------------------------------------------- set-up


def test_pledge_members_default_to_children_and_must_be_disjoint(tree, people):
    editor = people["district_editor"]
    p = services.pledge_create(actor=editor, unit=tree["district_a"], year=2023, title="GU")
    assert {u.pk for u in selectors.pledge_members(pledge=p)} == {
        tree["ward_a1"].pk,
        tree["ward_a2"].pk,
    }
    with pytest.raises(UserFacingError, match="không thuộc phạm vi"):
        services.pledge_create(
            actor=editor,
            unit=tree["district_a"],
            year=2023,
            title="GU",
            members=[tree["ward_a1"], tree["ward_b1"]],
        )
    with pytest.raises(UserFacingError, match="cấp trên, cấp dưới"):
        services.pledge_create(
            actor=editor,
            unit=tree["district_a"],
            year=2023,
            title="GU",
            members=[tree["ward_a1"], tree["area_a1"]],
        )


def test_cluster_pledge_takes_the_cluster_members(tree, people):
    city_editor = people["district_admin"]
    cluster = services.cluster_create(
        actor=city_editor,
        unit=tree["district_a"],
        name="Cụm thi đua số 1",
        members=[tree["ward_a1"], tree["ward_a2"]],
    )
    p = services.pledge_create(
        actor=city_editor, unit=tree["district_a"], year=2023, title="GU cụm", cluster=cluster
    )
    assert p.members.count() == 2


def test_criteria_validation_and_activation_rules(tree, people):
    editor = people["district_editor"]
    p = services.pledge_create(actor=editor, unit=tree["district_a"], year=2023, title="GU")

    def add(**kw):
        data = dict(code="CT1", short_name="Quỹ", text="Vượt chỉ tiêu", points=D(60))
        data.update(kw)
        return services.criterion_create(
            actor=editor, pledge=p, data=services.CriterionInput(**data)
        )

    with pytest.raises(UserFacingError, match="chỉ số đo"):
        add(kind=CriterionKind.QUOTA)
    with pytest.raises(UserFacingError, match="tối thiểu và tối đa"):
        add(kind=CriterionKind.RANGE, measure_key="nhap.mo_hinh_dien_hinh", target=2)
    with pytest.raises(UserFacingError, match="không được lớn hơn điểm chuẩn"):
        add(kind=CriterionKind.RATING, points_good=D(70))
    quota = add(kind=CriterionKind.QUOTA, measure_key="nhap.mo_hinh_dien_hinh")
    with pytest.raises(UserFacingError, match="Đã có tiêu chí"):
        add(kind=CriterionKind.REQUIREMENT)
    add(code="CT2", kind=CriterionKind.REQUIREMENT, points=D(30))
    with pytest.raises(UserFacingError, match="khác thang điểm 100"):
        services.pledge_activate(actor=editor, pledge=p, signed_on=dt.date(2023, 1, 13))
    add(code="CT3", kind=CriterionKind.REQUIREMENT, points=D(10))
    with pytest.raises(UserFacingError, match="chưa giao chỉ tiêu cho Phường A1, Phường A2"):
        services.pledge_activate(actor=editor, pledge=p, signed_on=dt.date(2023, 1, 13))
    with pytest.raises(UserFacingError, match="không tham gia giao ước"):
        services.criterion_targets_set(
            actor=editor, criterion=quota, targets={tree["ward_b1"].pk: (5, None)}
        )
    with pytest.raises(UserFacingError, match="không âm"):
        services.criterion_targets_set(
            actor=editor, criterion=quota, targets={tree["ward_a1"].pk: (-1, None)}
        )
    services.criterion_targets_set(
        actor=editor,
        criterion=quota,
        targets={tree["ward_a1"].pk: (5, None), tree["ward_a2"].pk: (4, None)},
    )
    services.pledge_activate(actor=editor, pledge=p, signed_on=dt.date(2023, 1, 13))
    p.refresh_from_db()
    assert p.status == PledgeStatus.ACTIVE
    with pytest.raises(UserFacingError, match="Giao ước đã ký kết"):
        add(code="CT4", kind=CriterionKind.REQUIREMENT)
    # quotas may still be adjusted during the year, with an audited before/after
    services.criterion_targets_set(
        actor=editor, criterion=quota, targets={tree["ward_a1"].pk: (6, None)}
    )
    event = AuditEvent.objects.filter(action="criterion.targets_set").first()
    assert event.before[str(tree["ward_a1"].pk)] == [5, None]
    assert event.after[str(tree["ward_a1"].pk)] == [6, None]


def test_pledge_setup_needs_edit_on_the_organiser(tree, people):
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.pledge_create(
            actor=people["ward_editor"], unit=tree["district_a"], year=2023, title="GU"
        )


# --------------------------------------------------------------------------- progress


def _entry(people, unit, value, on=dt.date(2023, 5, 1)):
    return services.measure_entry_create(
        actor=people["district_editor"],
        measure_key="nhap.mo_hinh_dien_hinh",
        unit=unit,
        on=on,
        value=value,
        note="Mô hình “Tổ dân phố không rác thải nhựa”",
    )


def test_progress_from_data(tree, people, pledge):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    _entry(people, a1, 2)
    _entry(people, tree["area_a1"], 2)  # a residential area counts in its ward
    _entry(people, a2, 1)
    _entry(people, a2, 9, on=dt.date(2024, 1, 2))  # outside the year
    services.evidence_add(
        actor=people["ward_editor"],
        criterion=pledge.criteria.get(code="CT2"),
        unit=a1,
        note="Kế hoạch số 12/KH-MTTQ ngày 10/02/2023",
    )
    services.unit_rating_set(
        actor=people["district_approver"], unit=a2, year=2023, rating=Rating.GOOD
    )
    progress = selectors.pledge_progress(user=people["viewer"], pledge=pledge)
    cells = {(c.criterion.code, c.unit.pk): c for cp in progress.criteria for c in cp.cells}
    assert cells[("CT1", a1.pk)].value == 4
    assert cells[("CT1", a1.pk)].assessment.status == Status.EXCEEDED
    assert cells[("CT1", a1.pk)].assessment.points == D(45)
    assert cells[("CT1", a2.pk)].assessment.points == D(20)  # 1 of 2: half of 40
    assert cells[("CT2", a1.pk)].assessment.met and not cells[("CT2", a2.pk)].assessment.met
    assert cells[("CT3", a2.pk)].assessment.points == D(24)
    assert cells[("CT3", a1.pk)].assessment.status == Status.NO_DATA
    assert [cp.met_count for cp in progress.criteria] == [1, 1, 1]
    # as of 30 April nothing had been recorded yet
    early = selectors.pledge_progress(
        user=people["viewer"], pledge=pledge, as_of=dt.date(2023, 4, 30)
    )
    assert early.criteria[0].cells[0].value == 0
    assert early.period.label == "từ ngày 01/01/2023 đến ngày 30/04/2023"


def test_ward_user_sees_only_its_own_row(tree, people, pledge):
    progress = selectors.pledge_progress(user=people["ward_editor"], pledge=pledge)
    assert [u.pk for u in progress.units] == [tree["ward_a1"].pk]


def test_manual_entries_only_for_manual_measures_and_editable_units(tree, people):
    with pytest.raises(UserFacingError, match="không nhập tay được"):
        services.measure_entry_create(
            actor=people["district_editor"],
            measure_key="ke_hoach.chuong_trinh_phoi_hop",
            unit=tree["ward_a1"],
            on=dt.date(2023, 1, 1),
            value=1,
        )
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.measure_entry_create(
            actor=people["ward_editor"],
            measure_key="nhap.mo_hinh_dien_hinh",
            unit=tree["ward_a2"],
            on=dt.date(2023, 1, 1),
            value=1,
        )


def test_rating_is_given_by_the_level_above(tree, people):
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.unit_rating_set(
            actor=people["ward_editor"], unit=tree["ward_a1"], year=2023, rating=Rating.EXCELLENT
        )
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.unit_rating_set(
            actor=people["other_approver"],
            unit=tree["ward_a1"],
            year=2023,
            rating=Rating.EXCELLENT,
        )
    services.unit_rating_set(
        actor=people["district_approver"], unit=tree["ward_a1"], year=2023, rating=Rating.DONE
    )
    row = services.unit_rating_set(
        actor=people["district_approver"], unit=tree["ward_a1"], year=2023, rating=Rating.GOOD
    )
    assert row.rating == Rating.GOOD
    event = AuditEvent.objects.filter(action="unit_rating.set").first()
    assert (event.before["rating"], event.after["rating"]) == ("done", "good")


def test_boards_rated_good_measure(tree, people):
    area2 = make_unit("Tổ dân phố 2", tree["ward_a1"])
    # the ward rates its residential areas' boards (the level above them)
    services.unit_rating_set(
        actor=people["district_approver"], unit=tree["area_a1"], year=2023, rating=Rating.EXCELLENT
    )
    services.unit_rating_set(
        actor=people["district_approver"], unit=area2, year=2023, rating=Rating.DONE
    )
    m = measures.get("thi_dua.ban_cong_tac_tot")
    values = m.compute([tree["ward_a1"], tree["ward_a2"]], Period.year(2023))
    assert values[tree["ward_a1"].pk] == D(50)
    assert values[tree["ward_a2"].pk] is None  # no boards: nothing to divide by
    assert m.format(values[tree["ward_a1"].pk]) == "50,0%"


def _add_wards(tree, n):
    return [make_unit(f"Phường A{i}", tree["district_a"]) for i in range(3, 3 + n)]


def test_progress_page_queries_do_not_grow_with_wards(
    client, tree, people, pledge, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["viewer"])
    url = f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    new = _add_wards(tree, 8)
    from mattran.emulation.models import PledgeMember

    PledgeMember.objects.bulk_create([PledgeMember(pledge=pledge, unit=u) for u in new])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(14):
        client.get(url)
    html = response.content.decode()
    assert "Phường A10" in html and 'id="progress-charts"' in html


def test_progress_page_404_for_another_district(client, people, pledge):
    client.force_login(people["other_approver"])
    assert client.get(f"/thi-dua/giao-uoc/{pledge.pk}/tien-do/").status_code == 404
    assert client.get(f"/thi-dua/giao-uoc/{pledge.pk}/").status_code == 404


def test_cluster_and_pledge_forms(client, tree, people):
    from mattran.emulation.models import EmulationCluster, Pledge

    a = tree["district_a"]
    client.force_login(people["district_editor"])
    response = client.post(
        f"/thi-dua/ke-hoach/{a.pk}/2023/tao-cum/",
        {"name": "Cụm thi đua số 1", "members": [tree["ward_a1"].pk]},
    )
    assert response.status_code == 302
    cluster = EmulationCluster.objects.get()
    response = client.post(
        f"/thi-dua/ke-hoach/{a.pk}/2023/tao-giao-uoc/",
        {"title": "Giao ước cụm số 1", "scale_points": "100", "cluster": cluster.pk},
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.cluster == cluster
    assert list(pledge.members.values_list("unit__name", flat=True)) == ["Phường A1"]
    client.force_login(people["ward_editor"])
    assert client.get(f"/thi-dua/ke-hoach/{a.pk}/2023/tao-cum/").status_code == 404


def test_criterion_and_targets_pages(client, tree, people):
    a = tree["district_a"]
    editor = people["district_editor"]
    p = services.pledge_create(actor=editor, unit=a, year=2023, title="GU")
    client.force_login(editor)
    response = client.post(
        f"/thi-dua/giao-uoc/{p.pk}/them-tieu-chi/",
        {
            "code": "CT1",
            "short_name": "Nhà",
            "text": "Sửa nhà cho từ 2 đến 4 hộ",
            "kind": "range",
            "points": "100",
            "measure_key": "quy.nha.xay_sua",
            "target": "2",
            "target_max": "4",
            "bonus_points": "0",
            "penalty_points": "0",
        },
    )
    assert response.status_code == 302
    criterion = p.criteria.get()
    url = f"/thi-dua/tieu-chi/{criterion.pk}/chi-tieu/"
    response = client.post(url, {f"t_{tree['ward_a1'].pk}": "3", f"max_{tree['ward_a1'].pk}": "x"})
    assert "không phải là số nguyên" in response.content.decode()
    response = client.post(url, {f"t_{tree['ward_a1'].pk}": "3", f"max_{tree['ward_a1'].pk}": "4"})
    assert response.status_code == 302
    assert criterion.targets.get().target == 3
    response = client.post(f"/thi-dua/giao-uoc/{p.pk}/ky-ket/", {"act-signed_on": "2023-01-13"})
    p.refresh_from_db()
    assert p.status == PledgeStatus.ACTIVE
    page = client.get(f"/thi-dua/giao-uoc/{p.pk}/").content.decode()
    assert "Thêm tiêu chí" not in page and "Chỉ tiêu từng đơn vị" in page
