"""Faithfulness: quotes and names must be found in the article; anything else is flagged."""

from __future__ import annotations

from summarize.checks.text import check_facts, normalize, quote_found
from summarize.schemas import KeyFacts, Organization, Person, Quote

ARTICLE = (
    "Ce lundi 20 novembre, Satya Nadella a révélé “que Sam Altman et Greg Brockman rejoignaient Microsoft”. "
    "« Après mûre réflexion, j’ai pris la décision difficile de quitter OpenAI. […] Il n’y a jamais de bon moment "
    "pour quitter un endroit » écrit Mira Murati. L’Élysée n’a pas commenté."
)


def facts(people=(), orgs=(), quotes=()) -> KeyFacts:
    return KeyFacts(
        people=[Person(name=n, role=None, organization=None) for n in people],
        organizations=[Organization(name=n, description=None) for n in orgs],
        events=[],
        amounts=[],
        quotes=[Quote(speaker=None, original=q, english=q) for q in quotes],
    )


def test_normalize_folds_case_accents_quotes_and_spaces() -> None:
    assert normalize("  L’Élysée\n a  «dit» — OK ") == "l elysee a dit - ok"


def test_quotes_match_despite_typography_case_and_whitespace() -> None:
    assert quote_found("que sam altman et greg brockman rejoignaient microsoft", ARTICLE)
    assert quote_found("Après mûre réflexion, j'ai pris la décision\ndifficile de quitter OpenAI.", ARTICLE)
    assert quote_found("Apres mure reflexion", ARTICLE)


def test_quotes_with_ellipsis_match_fragment_by_fragment_in_order() -> None:
    assert quote_found("j’ai pris la décision difficile de quitter OpenAI. […] Il n’y a jamais de bon moment", ARTICLE)
    assert quote_found("Après mûre réflexion... pour quitter un endroit", ARTICLE)
    assert not quote_found("pour quitter un endroit ... Après mûre réflexion", ARTICLE)


def test_invented_or_altered_quotes_are_not_found() -> None:
    assert not quote_found("J'ai été licenciée par Sam Altman", ARTICLE)
    assert not quote_found("que Sam Altman et Ilya Sutskever rejoignaient Microsoft", ARTICLE)
    assert not quote_found("…", ARTICLE)


def test_check_facts_flags_only_what_is_missing() -> None:
    warnings = check_facts(
        facts(
            people=["Sam Altman", "Satya Nadella", "Mira Murati", "Elon Musk", "Altman Sam"],
            orgs=["Microsoft", "OpenAI", "Elysee", "Google"],
            quotes=["rejoignaient Microsoft", "Nous allons tout changer"],
        ),
        ARTICLE,
    )
    flagged = {(w.kind, w.text) for w in warnings}
    assert flagged == {
        ("person-not-found", "Elon Musk"),
        ("person-not-found", "Altman Sam"),
        ("organization-not-found", "Google"),
        ("quote-not-found", "Nous allons tout changer"),
    }


def test_names_match_whole_words_only() -> None:
    warnings = check_facts(facts(orgs=["Micro", "Open"]), ARTICLE)
    assert [w.text for w in warnings] == ["Micro", "Open"]
