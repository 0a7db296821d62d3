import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mattran.core.errors import UserFacingError
from mattran.core.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2023", "2023-01-01", "2023-12-31", "năm 2023"),
        ("2023-09", "2023-09-01", "2023-09-30", "tháng 9 năm 2023"),
        ("202309", "2023-09-01", "2023-09-30", "tháng 9 năm 2023"),
        ("2024-02", "2024-02-01", "2024-02-29", "tháng 2 năm 2024"),
        ("2023-Q3", "2023-07-01", "2023-09-30", "quý III năm 2023"),
        ("2023Q3", "2023-07-01", "2023-09-30", "quý III năm 2023"),
        ("2023-H1", "2023-01-01", "2023-06-30", "6 tháng đầu năm 2023"),
        ("2023S1", "2023-01-01", "2023-06-30", "6 tháng đầu năm 2023"),
        ("2023S2", "2023-07-01", "2023-12-31", "6 tháng cuối năm 2023"),
        ("2023-9M", "2023-01-01", "2023-09-30", "9 tháng đầu năm 2023"),
        ("2023-01-01..2023-09-30", "2023-01-01", "2023-09-30", "9 tháng đầu năm 2023"),
        (
            "2023-03-05..2023-04-10",
            "2023-03-05",
            "2023-04-10",
            "từ ngày 05/03/2023 đến ngày 10/04/2023",
        ),
    ],
)
def test_parse_codes_and_labels(code, start, end, label):
    p = Period.parse(code)
    assert (p.start.isoformat(), p.end.isoformat(), p.label) == (start, end, label)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "2023-13",
        "2023-Q5",
        "2023-H3",
        "23",
        "2023-09-31..2023-10-01",
        "2023-10-01..2023-09-01",
        "năm ngoái",
    ],
)
def test_bad_codes_get_a_vietnamese_message(code):
    with pytest.raises(UserFacingError, match="không hợp lệ"):
        Period.parse(code)


def test_previous_year():
    assert Period.parse("2023-9M").previous_year() == Period.nine_months(2022)
    assert Period.parse("2023-Q3").previous_year().code == "2022-Q3"
    assert Period.parse("2024-02-29..2024-03-31").previous_year().start == dt.date(2023, 2, 28)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_month_roundtrip(year, month):
    p = Period.month(year, month)
    assert Period.parse(p.code) == p
    assert p.kind == PeriodKind.MONTH and p.contains(p.start) and p.contains(p.end)
    assert (p.end + dt.timedelta(days=1)).day == 1


@pytest.mark.parametrize(
    ("code", "short", "review"),
    [
        ("2023-9M", "9 tháng", "Sơ kết"),
        ("2023-H1", "6 tháng", "Sơ kết"),
        ("2023-H2", "6 tháng cuối năm", "Sơ kết"),
        ("2023-Q3", "quý III", "Sơ kết"),
        ("2023-09", "tháng 9", "Sơ kết"),
        ("2023", "năm 2023", "Tổng kết"),
        ("2023-03-05..2023-04-10", "từ ngày 05/03/2023 đến ngày 10/04/2023", "Sơ kết"),
    ],
)
def test_short_label_and_review_word(code, short, review):
    p = Period.parse(code)
    assert (p.short_label, p.review_word) == (short, review)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("9 tháng 2023", "2023-9M"),
        ("9 tháng đầu năm 2023", "2023-9M"),
        ("9 THANG DAU NAM 2023", "2023-9M"),
        ("quý 3/2023", "2023-Q3"),
        ("Quý III năm 2023", "2023-Q3"),
        ("quy 4 2024", "2024-Q4"),
        ("6 tháng đầu năm 2024", "2024-H1"),
        ("6 tháng cuối năm 2024", "2024-H2"),
        ("6 tháng 2024", "2024-H1"),
        ("tháng 9/2023", "2023-09"),
        ("tháng 12 năm 2024", "2024-12"),
        ("năm 2023", "2023"),
        ("cả năm 2024", "2024"),
        ("từ 01/01/2023 đến 30/09/2023", "2023-9M"),
        ("từ ngày 05/03/2023 đến ngày 10/04/2023", "2023-03-05..2023-04-10"),
        ("5/3/2023 - 10/4/2023", "2023-03-05..2023-04-10"),
    ],
)
def test_parse_vietnamese_as_people_type_it(typed, code):
    assert Period.parse(typed).code == code


@pytest.mark.parametrize("typed", ["tháng 13/2023", "quý 5/2023", "31/09/2023 - 01/10/2023"])
def test_bad_vietnamese_names_the_input_without_codes_jargon(typed):
    with pytest.raises(UserFacingError) as exc:
        Period.parse(typed)
    assert typed in exc.value.message and "9 tháng 2023" in exc.value.message
    assert "DHIS2" not in exc.value.message


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"loai": "nine_months", "nam": "2023"}, "2023-9M"),
        ({"loai": "quarter", "quy": "3", "nam": "2023"}, "2023-Q3"),
        ({"loai": "half_year", "nua": "2", "nam": "2024"}, "2024-H2"),
        ({"loai": "month", "thang": "9", "nam": "2023"}, "2023-09"),
        ({"loai": "year", "nam": "2024"}, "2024"),
        ({"loai": "range", "tu": "2023-01-01", "den": "2023-06-30"}, "2023-H1"),
        ({"loai": "range", "tu": "05/03/2023", "den": "10/04/2023"}, "2023-03-05..2023-04-10"),
        ({"ky": "quý 3/2023"}, "2023-Q3"),
        ({}, "2022"),
    ],
)
def test_period_from_the_picker(query, code):
    from mattran.core.periods import period_from_query

    assert period_from_query(query, Period.year(2022)).code == code


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"loai": "quarter", "quy": "5", "nam": "2023"}, "Chọn quý"),
        ({"loai": "month", "nam": "2023"}, "Chọn tháng"),
        ({"loai": "year", "nam": "abc"}, "Chọn năm"),
        ({"loai": "range", "tu": "2023-02-30", "den": "2023-03-01"}, "ngày bắt đầu"),
        ({"loai": "weekly", "nam": "2023"}, "Chọn loại kỳ"),
    ],
)
def test_picker_errors_are_vietnamese(query, message):
    from mattran.core.periods import period_from_query

    with pytest.raises(UserFacingError, match=message):
        period_from_query(query, Period.year(2022))
