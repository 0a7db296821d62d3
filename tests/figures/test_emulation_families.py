"""Families emulation registers in the figures layer: commendations, conferences, ratings."""

import datetime as dt

from mattran.core.periods import Period
from mattran.emulation import services as emu
from mattran.emulation.models import AwardType, ConferenceKind, Rating
from mattran.figures.engine import figures_compute
from mattran.figures.scope import scope_build
from mattran.units.models import Person
from tests.factories import make_unit

H1 = Period.parse("2023-H1")


def test_commendations_by_recipient_award_and_level(tree):
    ward = tree["ward_a1"]
    award = AwardType.objects.get(code="giay-khen")
    decision = emu.decision_create(
        actor=None,
        unit=ward,
        award_type=award,
        issuer="Ủy ban MTTQ Việt Nam phường A1",
        achievement_year=2022,
        summary="Khen thưởng tập thể, cá nhân",
        number="12/QĐ-MTTQ",
        signed_on=dt.date(2023, 1, 20),
    )
    emu.commendation_add(
        actor=None, decision=decision, recipient=emu.Recipient(unit=tree["area_a1"])
    )
    for name in ("Nguyễn Văn An", "Trần Thị Bình"):
        emu.commendation_add(
            actor=None,
            decision=decision,
            recipient=emu.Recipient(person=Person.objects.create(full_name=name)),
        )
    keys = [
        "commendations.count(recipient=collective)",
        "commendations.count(recipient=individual)",
        "commendations.count(award=giay-khen,level=commune)",
        "commendations.count(level=district)",
    ]
    fs = figures_compute(
        user=None, scope=scope_build(unit=tree["district_a"]), periods=[H1], keys=keys
    )
    assert [fs[k].totals[0] for k in keys] == [1, 2, 3, 0]
    assert fs[keys[1]].cell(0, str(ward.pk)) == 2


def test_congresses_counted_and_named(tree):
    emu.conference_create(
        actor=None,
        unit=tree["ward_a2"],
        data=emu.ConferenceInput(
            kind=ConferenceKind.CONGRESS,
            title="Đại hội đại biểu MTTQ Việt Nam phường A2 lần thứ V, nhiệm kỳ 2024–2029",
            held_on=dt.date(2023, 5, 10),
        ),
    )
    emu.conference_create(
        actor=None,
        unit=tree["ward_a1"],
        data=emu.ConferenceInput(
            kind=ConferenceKind.REVIEW, title="Hội nghị sơ kết", held_on=dt.date(2023, 6, 1)
        ),
    )
    key = "conferences.count(kind=congress)"
    fs = figures_compute(
        user=None, scope=scope_build(unit=tree["district_a"]), periods=[H1], keys=[key]
    )
    assert fs[key].totals[0] == 1
    assert fs[key].names[0] == [
        "Đại hội đại biểu MTTQ Việt Nam phường A2 lần thứ V, nhiệm kỳ 2024–2029"
    ]


def test_boards_rated_good_as_a_share_of_residential_areas(tree):
    area2 = make_unit("Tổ dân phố 2", tree["ward_a1"])
    emu.unit_rating_set(actor=None, unit=tree["area_a1"], year=2023, rating=Rating.EXCELLENT)
    emu.unit_rating_set(actor=None, unit=area2, year=2023, rating=Rating.DONE)
    key = "emulation.ratings(level=residential_area,measure=rate,rating=excellent|good)"
    fs = figures_compute(
        user=None,
        scope=scope_build(unit=tree["district_a"]),
        periods=[Period.year(2023)],
        keys=[key],
    )
    assert str(fs[key].totals[0]) == "50,0%"
    assert str(fs[key].cell(0, str(tree["ward_a1"].pk))) == "50,0%"
    assert not fs[key].cell(0, str(tree["ward_a2"].pk))  # no boards: nothing to divide by
