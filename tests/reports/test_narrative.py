from mattran.reports.figures import Figure, Rate
from mattran.reports.models import Indicator
from mattran.reports.narrative import NarrativeContext, sentence_render


def _fig(code, total, own=None, children=None, subjects=(), available=True):
    f = Figure(indicator=Indicator(code=code, name=code), available=available)
    f.totals = {0: total, 1: None}
    f.own = {0: own}
    f.children = {0: children}
    f.subjects = {0: list(subjects)}
    f.units = {0: []}
    return f


def ctx(*figs, **words):
    return NarrativeContext(
        words={"unit.kind": "Quận", "child.kind_lower": "phường", **words},
        figures={f.code: f for f in figs},
    )


def test_groups_drop_out_when_their_figures_are_zero():
    t = (
        "[[Tổ chức {pb.self:02} hội nghị cấp {unit.kind}]]"
        "[[ và {child.kind_lower} tổ chức {pb.children} hội nghị]]."
    )
    assert sentence_render(t, ctx(_fig("pb", 23, 2, 21))) == (
        "Tổ chức 02 hội nghị cấp Quận và phường tổ chức 21 hội nghị."
    )
    assert sentence_render(t, ctx(_fig("pb", 21, 0, 21))) == "Phường tổ chức 21 hội nghị."
    assert sentence_render(t, ctx(_fig("pb", 0, 0, 0))) == ""


def test_rates_numbers_and_unavailable_figures():
    t = "Hòa giải {a}/{b} (đạt {r}); quỹ {q}đ."
    out = sentence_render(
        t,
        ctx(
            _fig("a", 86),
            _fig("b", 9856),
            _fig("r", Rate(86, 92)),
            _fig("q", None, available=False),
        ),
    )
    assert out == "Hòa giải 86/9.856 (đạt 93,5%); quỹ đ."
    assert sentence_render("Vận động {q}đ.", ctx(_fig("q", None, available=False))) == ""
    assert sentence_render("Mã lạ {khong_co} vẫn hiện.", ctx()) == "Mã lạ {khong_co} vẫn hiện."
