"""Filters: checked bounds, inclusive date prefixes, undated articles, publishers and folders."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from assistant.retrieve.filters import Filters, nothing_matches


def _meta(date: str = "", publisher: str = "", source: str = "/news/a.txt") -> dict[str, str]:
    return {"date": date, "publisher": publisher, "source": source}


@pytest.mark.parametrize("bad", ["2022-13", "June 2022", "22", "2022-06-32", "2022/06/07"])
def test_a_bad_date_is_a_one_line_error(bad):
    with pytest.raises(UserError, match="--since must be a date such as"):
        Filters.of(since=bad)


def test_since_after_until_is_refused():
    with pytest.raises(UserError, match="after --until"):
        Filters.of(since="2022-07", until="2022-06-30")
    assert Filters.of(since="2022-06", until="2022-06")  # one month is a valid range


def test_a_year_or_month_bound_is_inclusive():
    year = Filters.of(since="2022", until="2022")
    assert year.dated("2022-01-01") and year.dated("2022-12-31")
    assert not year.dated("2021-12-31") and not year.dated("2023-01-01")
    june = Filters.of(until="2022-06")
    assert june.dated("2022-06-30") and not june.dated("2022-07-01")


def test_undated_articles_are_left_out_only_under_a_date_bound():
    assert not Filters.of(since="2000").matches(_meta(date=""))
    assert not Filters.of(since="2000").matches(_meta(date="Spring 2022"))  # not an ISO date
    assert Filters.of(sources=["Reuters"]).matches(_meta(publisher="Reuters"))
    assert Filters().matches(_meta())


def test_a_publisher_matches_in_any_case_and_nothing_else():
    f = Filters.of(sources=["global times"])
    assert f.matches(_meta(publisher="Global Times"))
    assert not f.matches(_meta(publisher="Global Times Weekly"))
    assert not f.matches(_meta(publisher=""))


def test_a_folder_matches_what_is_inside_it_not_a_sibling(tmp_path):
    folder = tmp_path / "news"
    f = Filters.of(sources=[str(folder)])
    assert f.matches(_meta(source=str(folder / "a.txt")))
    assert f.matches(_meta(source=str(folder / "sub" / "b.txt")))
    assert not f.matches(_meta(source=str(tmp_path / "news2" / "a.txt")))
    assert Filters.of(sources=[str(folder / "a.txt")]).matches(_meta(source=str(folder / "a.txt")))


def test_any_source_may_match_and_every_filter_must():
    f = Filters.of(since="2022", sources=["A", "B"])
    assert f.matches(_meta(date="2022-03-01", publisher="b"))
    assert not f.matches(_meta(date="2021-03-01", publisher="b"))
    assert not f.matches(_meta(date="2022-03-01", publisher="C"))


def test_the_request_shape_round_trips():
    f = Filters.of(since="2022-01", until="2022-06-30", sources=["Reuters", "/news"])
    j = f.to_json()
    assert j == {"since": "2022-01", "until": "2022-06-30", "source": ["Reuters", "/news"]}
    assert Filters.of(j["since"], j["until"], j["source"]) == f
    assert Filters().to_json() == {} and not Filters()


def test_a_source_must_be_a_list_of_strings():
    with pytest.raises(UserError, match="list"):
        Filters.of(sources="Reuters")
    with pytest.raises(UserError, match="list"):
        Filters.of(sources=[1])


def test_the_no_match_error_names_the_publishers_there():
    e = nothing_matches(Filters.of(until="1990"), ["B", "A", "", "A"])
    assert str(e) == "no indexed article matches the filter (until 1990); publishers here: A, B"
