"""Incident dates: the citizen's words for a day resolved against today's date."""

import datetime
import unicodedata

import pytest

from app.nlu.entities.dates import find_incident_date

D = datetime.date
TODAY = D(2026, 12, 3)  # a Thursday


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


CASES: list[tuple[str, D, str]] = [
    ("hôm qua tôi nhận được cuộc gọi", D(2026, 12, 2), "hôm qua"),
    ("sáng nay có người gọi", D(2026, 12, 3), "sáng nay"),
    ("hôm nay", D(2026, 12, 3), "hôm nay"),
    ("chiều qua nó nhắn", D(2026, 12, 2), "chiều qua"),
    ("tối hôm qua", D(2026, 12, 2), "tối hôm qua"),
    ("tối hôm kia bị lừa", D(2026, 12, 1), "tối hôm kia"),
    ("3 ngày trước chuyển tiền", D(2026, 11, 30), "3 ngày trước"),
    ("cách đây 5 hôm", D(2026, 11, 28), "cách đây 5 hôm"),
    ("hai ngày trước", D(2026, 12, 1), "hai ngày trước"),
    ("2 tuần trước", D(2026, 11, 19), "2 tuần trước"),
    # "tuần trước" alone: the same weekday a week back
    ("tuần trước tôi bị lừa", D(2026, 11, 26), "tuần trước"),
    # a weekday in the previous calendar week (Monday to Sunday)
    ("thứ 7 tuần trước", D(2026, 11, 28), "thứ 7 tuần trước"),
    ("thứ bảy tuần trước", D(2026, 11, 28), "thứ bảy tuần trước"),
    ("thứ 2 tuần trước", D(2026, 11, 23), "thứ 2 tuần trước"),
    ("chủ nhật tuần rồi", D(2026, 11, 29), "chủ nhật tuần rồi"),
    # the most recent such weekday before today
    ("chủ nhật vừa rồi", D(2026, 11, 29), "chủ nhật vừa rồi"),
    ("hôm thứ Sáu", D(2026, 11, 27), "hôm thứ Sáu"),
    ("tối thứ 5 họ gọi", D(2026, 11, 26), "tối thứ 5"),
    ("thứ 3 vừa rồi", D(2026, 12, 1), "thứ 3 vừa rồi"),
    ("thứ 2 tuần này", D(2026, 11, 30), "thứ 2 tuần này"),
    # dates without a year: the most recent past one
    ("ngày 20/11 tôi chuyển khoản", D(2026, 11, 20), "ngày 20/11"),
    ("20/11", D(2026, 11, 20), "20/11"),
    ("hôm 25/12", D(2025, 12, 25), "hôm 25/12"),
    ("20/11/2026", D(2026, 11, 20), "20/11/2026"),
    ("ngày 05-10-2025", D(2025, 10, 5), "ngày 05-10-2025"),
    ("ngày 5 tháng 10", D(2026, 10, 5), "ngày 5 tháng 10"),
    ("mùng 2 tháng 9 năm 2025", D(2025, 9, 2), "mùng 2 tháng 9 năm 2025"),
    ("đầu tháng 10", D(2026, 10, 1), "đầu tháng 10"),
    ("giữa tháng 11", D(2026, 11, 15), "giữa tháng 11"),
    ("cuối tháng trước", D(2026, 11, 30), "cuối tháng trước"),
    ("đầu tháng này", D(2026, 12, 1), "đầu tháng này"),
    ("cuối tháng 2", D(2026, 2, 28), "cuối tháng 2"),
    ("lúc 19:05 ngày 03/12/2026", D(2026, 12, 3), "ngày 03/12/2026"),
]


@pytest.mark.parametrize(
    ("text", "day", "words"),
    [c for t, d, w in CASES for c in {(t, d, w), (strip_diacritics(t), d, strip_diacritics(w))}],
)
def test_incident_dates(text: str, day: D, words: str) -> None:
    assert find_incident_date(text, TODAY) == (day, words)


@pytest.mark.parametrize(
    "text",
    [
        "chào ad",
        "tôi qua ngân hàng hỏi",  # "tôi" (I), not "tối" (evening)
        "toi qua ngan hang hoi",
        "đem qua nhà",
        "lần thứ 2 họ gọi",  # an ordinal, not Monday
        "3 ngày nữa họ đến",  # the future
        "giữa tháng này",  # 15 December: still to come
        "thứ 6 tuần này",  # tomorrow
        "25/12/2026",  # a future date with its year
        "ngày 31/2",
        "mất 1.5 tỷ",
        "lúc 19:05",
    ],
)
def test_no_incident_date(text: str) -> None:
    assert find_incident_date(text, TODAY) == (None, None)


def test_weekday_words_are_not_weeks_ago() -> None:
    # "thứ 7 tuần trước" is last week's Saturday, never "7 weeks ago"
    day, words = find_incident_date("thu 7 tuan truoc", TODAY)
    assert day == D(2026, 11, 28)
    assert words == "thu 7 tuan truoc"


def test_first_expression_wins_and_a_future_one_is_skipped() -> None:
    assert find_incident_date("thứ 6 tuần này họ hẹn, hôm qua họ gọi", TODAY) == (D(2026, 12, 2), "hôm qua")


def test_never_in_the_future_around_new_year() -> None:
    jan = D(2027, 1, 2)  # a Saturday
    assert find_incident_date("ngày 30/12", jan) == (D(2026, 12, 30), "ngày 30/12")
    assert find_incident_date("cuối tháng trước", jan) == (D(2026, 12, 31), "cuối tháng trước")
    assert find_incident_date("đầu tháng 12", jan) == (D(2026, 12, 1), "đầu tháng 12")
    assert find_incident_date("hôm kia", jan) == (D(2026, 12, 31), "hôm kia")


def test_leap_day_looks_back_to_a_leap_year() -> None:
    assert find_incident_date("ngày 29/2", TODAY) == (D(2024, 2, 29), "ngày 29/2")


def test_long_text_is_linear() -> None:
    text = "hom qua thu 7 tuan truoc 20/11 " * 1000
    assert find_incident_date("x " * 10_000 + text, TODAY)[0] == D(2026, 12, 2)
