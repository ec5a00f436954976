"""Deriving the verbatim amount or date from cited sentences, and checking the model's value against it."""

from __future__ import annotations

import pytest

from summarize.checks.derive import (
    DateExpression,
    date_agrees,
    dates_in,
    find_amount,
    find_date,
    money_in,
    numbers_in,
    parse_amount,
)


# --- amounts -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("written", "value", "currency"),
    [
        ("13 milliards de dollars", 13e9, "USD"),
        ("4 milliards de dollars", 4e9, "USD"),
        ("$157 billion", 1.57e11, "USD"),
        ("2,5 millions d'euros", 2.5e6, "EUR"),
        ("4,5 milliards d’euros", 4.5e9, "EUR"),
        ("€40m", 4e7, "EUR"),
        ("10 000 euros", 1e4, "EUR"),
        ("1 000 euros", 1e3, "EUR"),
        ("1 000 €", 1e3, "EUR"),
        ("1\u202f000\u202f€", 1e3, "EUR"),
        ("1\u00a0000\u00a0euros", 1e3, "EUR"),
        ("1,5 Md€", 1.5e9, "EUR"),
        ("2 Mds€", 2e9, "EUR"),
        ("40 M€", 4e7, "EUR"),
        ("$3 billion", 3e9, "USD"),
        ("$3bn", 3e9, "USD"),
        ("$40k", 4e4, "USD"),
        ("$1,500,000", 1.5e6, "USD"),
        ("$2.5 million", 2.5e6, "USD"),
        ("US$5 billion", 5e9, "USD"),
        ("C$3 million", 3e6, "CAD"),
        ("£200m", 2e8, "GBP"),
        ("¥500 billion", 5e11, "JPY"),
        ("USD 5 million", 5e6, "USD"),
        ("5 millions de dollars canadiens", 5e6, "CAD"),
        ("3 millions de francs suisses", 3e6, "CHF"),
        ("2 millions de livres sterling", 2e6, "GBP"),
        ("2 millions de livres", 2e6, "GBP"),
        ("10 milliards de yuans", 1e10, "CNY"),
        ("1 billion US dollars", 1e9, "USD"),
        ("un milliard d’euros", 1e9, "EUR"),
        ("a billion dollars", 1e9, "USD"),
        ("2 billions de dollars", 2e12, "USD"),  # the French billion
        ("1.000.000 EUR", 1e6, "EUR"),
        ("1 250,50 euros", 1250.5, "EUR"),
        ("13 milliards de dollars américains", 13e9, "USD"),
    ],
)
def test_money_expressions_are_read_whole(written: str, value: float, currency: str) -> None:
    text = f"Selon le texte, {written}, disait-il."
    [found] = money_in(text)
    assert found.text == written
    assert text[found.start : found.end] == written
    assert found.value == pytest.approx(value)
    assert found.currency == currency
    assert parse_amount(written) == (pytest.approx(value), currency)


def test_examples_of_the_brief() -> None:
    found = find_amount("Microsoft a investi 13 milliards de dollars dans OpenAI.", 13e9, "USD")
    assert found is not None and found.text == "13 milliards de dollars"
    found = find_amount("valued at $157 billion", 1.57e11, "USD")
    assert found is not None and found.text == "$157 billion"
    assert find_amount("valued at $157 billion", 1.57e10, "USD") is None  # the model wrote 15,700,000,000


def test_a_number_without_currency_is_a_number_not_money() -> None:
    text = "Il a levé 3 milliards et embauché 200 ingénieurs, soit 30 % de plus."
    assert money_in(text) == []
    assert [(n.text, n.value, n.currency) for n in numbers_in(text)] == [
        ("3 milliards", 3e9, None),
        ("200", 200.0, None),
        ("30 %", 30.0, None),
    ]
    assert parse_amount("86 milliards") == (8.6e10, None)


def test_find_amount_accepts_a_scaled_number_when_the_currency_is_not_written() -> None:
    found = find_amount("Le groupe a perdu 3 milliards l'an dernier.", 3e9, "EUR")
    assert found is not None and found.text == "3 milliards" and found.currency is None


def test_find_amount_prefers_money_and_checks_the_currency() -> None:
    text = "Les 13 milliards annoncés, soit 13 milliards de dollars, dépassent les 12 milliards d'euros."
    found = find_amount(text, 13e9, "USD")
    assert found is not None and found.text == "13 milliards de dollars"
    assert find_amount(text, 12e9, "USD") is None  # written in euros
    euros = find_amount(text, 12e9, "EUR")
    assert euros is not None and euros.text == "12 milliards d'euros"
    any_currency = find_amount(text, 12e9, None)
    assert any_currency is not None and any_currency.currency == "EUR"


def test_find_amount_tolerates_one_percent_rounding() -> None:
    found = find_amount("un budget de 4,47 milliards d'euros", 4.5e9, "EUR")
    assert found is not None and found.text == "4,47 milliards d'euros"
    assert find_amount("un budget de 4,4 milliards d'euros", 4.5e9, "EUR") is None


def test_a_percentage_is_not_an_amount_of_money() -> None:
    assert find_amount("la part est de 30 %", 30, "USD") is None
    found = find_amount("la part est de 30 %", 30, None)
    assert found is not None and found.text == "30 %"


@pytest.mark.parametrize(
    "text",
    [
        "La tour fait 200 m de haut.",  # metres, not millions
        "Elle a vendu 200 livres.",  # books, not pounds
        "Un prix de 100 francs en 1990.",  # old French francs: no ISO code we name
    ],
)
def test_units_that_look_like_money_are_not(text: str) -> None:
    assert money_in(text) == []


def test_numbers_inside_words_dates_and_codes_are_not_amounts() -> None:
    assert numbers_in("le COVID19, la 5G, l'A320 et le 20th") == []
    assert numbers_in("le 2023-11-17 ou le 17/11/2023") == []


def test_english_and_french_thousands_separators() -> None:
    assert [n.value for n in numbers_in("1,500 people and 1.500 personnes and 1 500 personnes")] == [1500, 1500, 1500]
    # Before a scale word a single group is a decimal.
    assert [n.value for n in numbers_in("2,500 milliards")] == [2.5e9]


def test_parse_amount_needs_a_single_amount() -> None:
    assert parse_amount("entre 2 et 3 milliards de dollars") == (3e9, "USD")  # one amount of money, one bare number
    assert parse_amount("entre 2 milliards de dollars et 3 milliards de dollars") is None
    assert parse_amount("beaucoup d'argent") is None
    assert parse_amount("en 2019, 400 salariés") is None


# --- dates ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "written", "parts"),
    [
        ("Vendredi 17 novembre, coup de tonnerre", "Vendredi 17 novembre", (None, 11, 17)),
        ("ce lundi 20 novembre au soir", "lundi 20 novembre", (None, 11, 20)),
        ("le 17 novembre 2023 à Paris", "17 novembre 2023", (2023, 11, 17)),
        ("le 1er mai prochain", "1er mai", (None, 5, 1)),
        ("le 1er mai 2024", "1er mai 2024", (2024, 5, 1)),
        ("on November 17, 2023, the board", "November 17, 2023", (2023, 11, 17)),
        ("on Friday, November 17, the board", "Friday, November 17", (None, 11, 17)),
        ("on Nov. 17 the board", "Nov. 17", (None, 11, 17)),
        ("on 17 Nov 2023 the board", "17 Nov 2023", (2023, 11, 17)),
        ("on November 17th the board", "November 17th", (None, 11, 17)),
        ("on the 17th of November", "17th of November", (None, 11, 17)),
        ("en novembre 2023, le conseil", "novembre 2023", (2023, 11, None)),
        ("in November 2023, the board", "November 2023", (2023, 11, None)),
        ("en 2019, en créant une filiale", "2019", (2019, None, None)),
        ("début 2024, le groupe", "2024", (2024, None, None)),
        ("publié le 2023-11-17", "2023-11-17", (2023, 11, 17)),
        ("publié le 17/11/2023", "17/11/2023", (2023, 11, 17)),
        ("published 11/17/2023", "11/17/2023", (2023, 11, 17)),
        ("le 2 décembre 2024", "2 décembre 2024", (2024, 12, 2)),
        ("le 2 decembre 2024", "2 decembre 2024", (2024, 12, 2)),
        ("le 2 de\u0301cembre 2024", "2 de\u0301cembre 2024", (2024, 12, 2)),  # decomposed accent
        ("le 14 février", "14 février", (None, 2, 14)),
        ("le 14 fevrier", "14 fevrier", (None, 2, 14)),
        ("le 15 août 2023", "15 août 2023", (2023, 8, 15)),
        ("le 3 févr. 2022", "3 févr. 2022", (2022, 2, 3)),
        ("en février, le groupe", "février", (None, 2, None)),
        ("in March, shares fell", "March", (None, 3, None)),
        ("le 17 novembre.", "17 novembre", (None, 11, 17)),  # the sentence's full stop is not part of it
    ],
)
def test_dates_are_read_whole(text: str, written: str, parts: tuple[int | None, int | None, int | None]) -> None:
    [found] = dates_in(text)
    assert found.text == written
    assert text[found.start : found.end] == written
    assert (found.year, found.month, found.day) == parts


@pytest.mark.parametrize(
    "text",
    [
        "this month, the company said",
        "mi-novembre, le conseil",  # not the month as a whole
        "we march on and it may rain",  # English verbs
        "un chèque de 2019 € et 2 019 personnes",  # part of an amount or a larger number
        "le budget atteint 2019 milliards",
        "l'an 1800 ou 2500",  # outside 1900-2100
        "un vol A2019",
    ],
)
def test_what_is_not_a_date(text: str) -> None:
    assert dates_in(text) == []


def test_several_dates_in_order_without_overlaps() -> None:
    text = "Le 17 novembre 2023, puis en 2024 et du 2023-2024 au 3 mars."
    assert [d.text for d in dates_in(text)] == ["17 novembre 2023", "2024", "2023", "2024", "3 mars"]


def test_find_date_examples_of_the_brief() -> None:
    text = "Vendredi 17 novembre, coup de tonnerre"
    found = find_date(text, "2023-11-17", published="2023-11-20 12:16:51")
    assert found is not None and found.text == "Vendredi 17 novembre"
    assert find_date(text, "2022-11-17", published="2023-11-20") is None  # wrong year
    assert find_date(text, "2023-11-18", published="2023-11-20") is None  # wrong day
    assert find_date("le 2 décembre", "2024-12-02", published=None) is None  # no year anywhere
    found = find_date("le 2 décembre, et en 2024 aussi", "2024-12-02")
    assert found is not None and found.text == "2 décembre"  # the year is written in the same sentences
    found = find_date("le 2 décembre 2024", "2024-12-02")
    assert found is not None and found.text == "2 décembre 2024"
    found = find_date("en 2019, en créant une filiale", "2019")
    assert found is not None and found.text == "2019"
    assert find_date("this month, the company said", "2022") is None


def test_find_date_with_accents_either_way_and_ordinals() -> None:
    for text in ("le 2 décembre 2024", "le 2 decembre 2024", "le 2 DÉCEMBRE 2024"):
        found = find_date(text, "2024-12-02")
        assert found is not None and found.text == text[3:]
    found = find_date("le 29 février", "2024-02-29", published="2024-03-01T08:00:00")
    assert found is not None and found.text == "29 février"
    found = find_date("le 1er mai", "2024-05-01", published="2024-05-02")
    assert found is not None and found.text == "1er mai"
    found = find_date("on November 17th", "2023-11-17", published="2023-11-20")
    assert found is not None and found.text == "November 17th"


def test_find_date_at_month_precision() -> None:
    found = find_date("en novembre, le conseil", "2023-11", published="2023-11-20")
    assert found is not None and found.text == "novembre"
    assert find_date("en novembre, le conseil", "2022-11", published="2023-11-20") is None
    assert find_date("en novembre, le conseil", "2023-10", published="2023-11-20") is None
    found = find_date("le 17 novembre 2023, puis en novembre 2023", "2023-11")
    assert found is not None and found.text == "novembre 2023"  # the expression at the ISO's precision first
    found = find_date("le 17 novembre 2023", "2023-11")
    assert found is not None and found.text == "17 novembre 2023"  # more precise still agrees
    assert find_date("en 2023", "2023-11") is None  # the month is not written


def test_find_date_at_year_precision_needs_the_year_written() -> None:
    assert find_date("en novembre, le conseil", "2023", published="2023-11-20") is None
    found = find_date("le 17 novembre 2023, puis en 2023", "2023")
    assert found is not None and found.text == "2023"
    found = find_date("le 17 novembre 2023", "2023")
    assert found is not None and found.text == "17 novembre 2023"
    assert find_date("un chèque de 2019 €", "2019") is None


def test_find_date_prefers_a_written_year() -> None:
    text = "Le 17 novembre, Altman part. Le 17 novembre 2023 restera."
    found = find_date(text, "2023-11-17", published="2023-11-20")
    assert found is not None and found.text == "17 novembre 2023"


def test_find_date_rejects_a_bad_iso_date() -> None:
    assert find_date("le 17 novembre 2023", "17/11/2023") is None
    assert find_date("le 17 novembre 2023", "") is None


def test_date_agrees() -> None:
    day = DateExpression("17 novembre", 0, 11, None, 11, 17)
    assert date_agrees(day, "2023-11-17", year_hint=2023)
    assert not date_agrees(day, "2023-11-17", year_hint=None)
    assert not date_agrees(day, "2023-11-17", year_hint=2022)
    assert date_agrees(day, "2023-11", year_hint=2023)
    assert not date_agrees(day, "2023", year_hint=2023)  # a year-only date must be written
    dated = DateExpression("17 novembre 2023", 0, 16, 2023, 11, 17)
    assert date_agrees(dated, "2023-11-17", year_hint=2022)  # the written year wins over the hint
    assert date_agrees(dated, "2023", year_hint=None)
    assert not date_agrees(dated, "2024-11-17", year_hint=2024)
    year = DateExpression("2019", 0, 4, 2019, None, None)
    assert date_agrees(year, "2019", year_hint=None)
    assert not date_agrees(year, "2019-05", year_hint=2019)
    assert not date_agrees(year, "not a date", year_hint=None)
