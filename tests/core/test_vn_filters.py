"""Template filters that print numbers and signed time stamps the Vietnamese way."""

from mattran.core.templatetags.vn import epoch_ms, number


def test_counts_grouped_and_signed_time_stamps_in_local_24_hour_time():
    assert number(3251) == "3.251" and number(None) == "—"
    # 2026-12-07 12:57:25.137 UTC is 19:57:25 in Hà Nội (UTC+7)
    assert epoch_ms(1796648245137) == "07/12/2026 19:57:25"
    assert epoch_ms("không phải số") == "không phải số"
