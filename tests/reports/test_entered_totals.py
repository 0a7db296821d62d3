"""Issue 11 item 7: last year's figures of a new office, entered once by figure key, give its
first report the previous-year column; and an approved report marks indicators added later."""

from django.urls import reverse

from mattran.core.periods import Period
from mattran.figures.models import EnteredTotal
from mattran.reports import services
from mattran.reports.models import Indicator
from mattran.reports.selectors import report_build

H1_2022 = Period.parse("2022-H1")


def test_an_editor_enters_last_years_totals_and_the_report_compares(client, tree, people):
    ward = tree["ward_a2"]
    url = reverse("reports:entered", args=[ward.pk, H1_2022.code])
    client.force_login(people["editor_a2"])
    page = client.get(url).content.decode()
    assert "activities.count(types=tuyen_truyen)" in page
    # a number that cannot be read: nothing is written, the field says why
    r = client.post(url, {"v_tuyen_truyen": "12a", "v_toa_dam": "3"})
    assert "“12a” không phải số nguyên" in r.content.decode()
    assert not EnteredTotal.objects.exists()
    r = client.post(
        url,
        {"v_tuyen_truyen": "14", "v_tuyen_truyen_luot": "1.250", "note": "Báo cáo 6 tháng 2022"},
    )
    assert r.status_code == 302
    stored = dict(EnteredTotal.objects.filter(unit=ward).values_list("key", "value"))
    assert stored == {
        "activities.count(types=tuyen_truyen)": 14,
        "activities.attendance(types=tuyen_truyen)": 1250,
    }
    report = report_build(user=people["editor_a2"], unit=ward, period=Period.parse("2023-H1"))
    f = report.figures
    assert (f["tuyen_truyen"].totals[1], f["tuyen_truyen_luot"].totals[1]) == (14, 1250)
    assert (
        f["tuyen_truyen"].entered[1]
        and report.as_dict()["figures"]["tuyen_truyen"]["previous_entered"]
    )
    html = client.get(reverse("reports:report", args=[ward.pk, "2023-H1"])).content.decode()
    assert "cùng kỳ: số nhập" in html
    # at the district the entered totals fill the ward's cell of the previous year
    district = report_build(user=None, unit=tree["district_a"], period=Period.parse("2023-H1"))
    assert district.figures["tuyen_truyen"].cell(1, str(ward.pk)) == 14
    # emptying a field removes the total
    client.post(url, {"v_tuyen_truyen": "", "v_tuyen_truyen_luot": "1.250"})
    assert EnteredTotal.objects.filter(unit=ward).count() == 1


def test_only_editors_of_the_unit_enter_totals(client, tree, people):
    client.force_login(people["viewer_a"])
    url = reverse("reports:entered", args=[tree["ward_a2"].pk, H1_2022.code])
    assert client.get(url).status_code == 404
    client.force_login(people["editor_a1"])
    assert client.post(url, {"v_tuyen_truyen": "5"}).status_code == 404
    assert not EnteredTotal.objects.exists()


def test_an_indicator_added_after_approval_is_marked_new(client, records, people):
    ward, period = records["ward_a1"], Period.parse("2023-9M")
    sub = services.submission_submit(actor=people["editor_a1"], unit=ward, period=period)
    services.submission_approve(actor=people["approver_a"], submission=sub)
    Indicator.objects.create(
        code="dai_hoi_moi",
        name="Đại hội mới thêm",
        figure_key="conferences.count(kind=congress)",
        order=999,
    )
    report = report_build(user=people["viewer_a"], unit=ward, period=period)
    assert report.figures["dai_hoi_moi"].is_new
    assert not report.figures["tuyen_truyen"].is_new
