"""Numbered sentences: where French and English news text splits, stable ids, offsets back into the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.checks.text import MappedText
from summarize.reading.clean import paragraphs
from summarize.reading.read import load_article
from summarize.reading.sentences import Sentence, Sentences, split_sentences

from .fakes import SEED_003, SEEDS


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def assert_located(text: str, found: list[Sentence]) -> None:
    """Offsets point at the stripped, non-empty sentence text, in order, with unique ids."""
    previous_end = 0
    for sentence in found:
        assert sentence.text == text[sentence.start:sentence.end]
        assert sentence.text and sentence.text == sentence.text.strip()
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert sentence.id == f"{sentence.paragraph}.{sentence.index}"
        previous_end = sentence.end
    assert len({s.id for s in found}) == len(found)


# --- sentence ends ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sam Altman a été renvoyé vendredi. Il a rejoint Microsoft lundi.",
         ["Sam Altman a été renvoyé vendredi.", "Il a rejoint Microsoft lundi."]),
        ("Was he fired? Nobody knows! The board said nothing.",
         ["Was he fired?", "Nobody knows!", "The board said nothing."]),
        ("Pourquoi tous les cadres s’en vont ? Personne ne le sait.",
         ["Pourquoi tous les cadres s’en vont ?", "Personne ne le sait."]),
        ("Il est né en 1985. 38 ans plus tard, il dirige OpenAI.",
         ["Il est né en 1985.", "38 ans plus tard, il dirige OpenAI."]),
        ("Le conseil a tranché. « Nous regrettons », dit-il.",
         ["Le conseil a tranché.", "« Nous regrettons », dit-il."]),
        ("The board acted. “We regret it,” a director said.",
         ["The board acted.", "“We regret it,” a director said."]),
        ('The board acted. "We regret it," a director said.',
         ["The board acted.", '"We regret it," a director said.']),
        ("Il a répondu (ce qui est rare). Puis il est parti.", ["Il a répondu (ce qui est rare).", "Puis il est parti."]),
        ("Il est parti. (Il reviendra lundi.) Le conseil attend.",
         ["Il est parti.", "(Il reviendra lundi.)", "Le conseil attend."]),
        ("Même quand… non, il ne reviendra pas.", ["Même quand… non, il ne reviendra pas."]),
        ("Quoi ? dit-il en riant.", ["Quoi ? dit-il en riant."]),
    ],
)
def test_sentence_ends(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "M. Macron a reçu Mme. Dupont et Mlle. Martin à l’Élysée.",
        "Le Dr. Martin et le Pr. Raoult ont témoigné devant MM. Durand et Petit.",
        "Les avocats de Me. Dupond-Moretti contestent.",
        "Il a grandi à St. Louis avant de rejoindre OpenAI.",
        "Certains modèles (p. ex. Claude ou Gemini) restent fermés.",
        "La société compte env. 1 500 salariés à Paris.",
        "Voir le rapport (cf. Annexe 2) pour le détail.",
        "Apple Inc. Chief Executive Tim Cook declined to comment.",
        "Microsoft Corp. President Brad Smith met EU officials.",
        "DeepMind Technologies Ltd. Chief Scientist Shane Legg spoke.",
        "Martin Luther King Jr. Day is a federal holiday.",
        "The U.S. Senate and the U.K. Parliament held hearings.",
        "Several labs, e.g. Anthropic and Mistral, publish model cards.",
        "The nonprofit, i.e. OpenAI Inc., controls the company.",
        "It is OpenAI vs. Google in the search market.",
        "He lives at No. 10 Downing Street.",
        "Mr. Altman, Mrs. Smith, Ms. Murati and Prof. Hinton were invited.",
        "L’accord a été signé le 5 janv. 2024 et modifié le 2 févr. 2024.",
        "Jules César meurt en 44 av. J.-C. Brutus avait frappé le premier.",
        "J. K. Rowling et Donald J. Trump ont réagi sur X.",
        "Selon l’art. 49 de la Constitution, le vote est engagé.",
        "La société a été vendue à Acme etc. Microsoft a racheté le reste.",
        "M. Le Maire et M. Dupont ont signé.",
        "Le 7 oct. 2023, le Hamas a attaqué Israël.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The deal was closed by Apple Inc. The shares rose 3 %.", 2),
        ("Il a acheté des pommes, des poires, etc. Le lendemain, il est revenu.", 2),  # etc. before "Le": an end
        ("The company moved to the U.S. The move surprised investors.", 2),
        ("Rome est fondée en 753 av. J.-C. Les rois se succèdent ensuite.", 2),
        ("C’est tout ce qu’il y a. Le reste est parti.", 2),  # "a" is the verb, not an initial
        ("OpenAI a lancé GPT-4o. Il parle et voit.", 2),  # "4o" is no initial
        ("Le vol. Il a eu lieu la nuit.", 2),  # "vol" is a word unless a number follows
        ("Ils étaient sept. Puis huit.", 2),
        ("Le plan B. Il a échoué lundi.", 2),  # a capital initial before "Il", "He", "But": no name goes on so
        ("Le 7 oct. Le Hamas a attaqué Israël.", 2),
    ],
)
def test_abbreviation_like_words_that_end_a_sentence(text: str, count: int) -> None:
    assert len(texts(text)) == count


@pytest.mark.parametrize(
    "text",
    [
        "La croissance atteint 2,5 % en 2024, contre 1,8 % un an plus tôt.",
        "Microsoft invested $4.5 billion in the company in 2023.",
        "Le groupe emploie 1.000 personnes et vise 3.2 millions d’euros.",
        "OpenAI a présenté GPT-4.5 puis o3-mini en février.",
        "Version 1.2.3 of the SDK fixed the bug.",
    ],
)
def test_numbers_do_not_end_a_sentence(text: str) -> None:
    assert texts(text) == [text]


# --- quotations ----------------------------------------------------------------------------------------------

def test_a_quote_ending_in_a_sentence_end_splits_after_its_closing_mark() -> None:
    assert texts("« Nous partons. Demain. » Puis il est parti.") == ["« Nous partons. Demain. »", "Puis il est parti."]
    assert texts('He said: "We are leaving. Tomorrow." Then he left.') == [
        'He said: "We are leaving. Tomorrow."', "Then he left."
    ]
    assert texts("“It is over. We lost.” The board met again.") == ["“It is over. We lost.”", "The board met again."]


def test_a_quotation_within_a_sentence_stays_one_sentence() -> None:
    text = ("« Après mûre réflexion, j’ai pris la décision de quitter OpenAI. Ces six ans ont été un privilège. "
            "Il n’y a jamais de bon moment » écrit Mira Murati dans sa lettre.")
    assert texts(text) == [text]
    english = "“We will not stop. Ever. Not now,” Altman wrote on X on Friday."
    assert texts(english) == [english]
    nested = "Il cite « le mot “stop.” Puis rien » et se tait."
    assert texts(nested) == [nested]


def test_an_unclosed_quotation_does_not_swallow_the_paragraph() -> None:
    assert texts("« Leurs départs m’ont fait réfléchir. Il a ajouté un mot. Puis il est parti.") == [
        "« Leurs départs m’ont fait réfléchir.", "Il a ajouté un mot.", "Puis il est parti."
    ]


def test_the_closing_guillemet_after_a_space_belongs_to_the_sentence() -> None:
    text = "Elle a écrit : « Aucun n’a été perdu. »\u00a0Anthropic n’a pas commenté."
    assert texts(text) == ["Elle a écrit : « Aucun n’a été perdu. »", "Anthropic n’a pas commenté."]


# --- lines, bullets, glued sentences, ellipses --------------------------------------------------------------------

def test_bullets_are_sentences_of_their_own_without_their_marker() -> None:
    text = ("• OpenAI a connu une semaine folle\n• L'entreprise a annoncé des changements. Et puis Mira Murati est partie.\n"
            "- Un dirigeant a réagi\n* Le conseil s’est tu\n– Microsoft a recruté\n1. Premier point\n2) Second point")
    assert texts(text) == [
        "OpenAI a connu une semaine folle", "L'entreprise a annoncé des changements.", "Et puis Mira Murati est partie.",
        "Un dirigeant a réagi", "Le conseil s’est tu", "Microsoft a recruté", "Premier point", "Second point",
    ]
    assert {s.paragraph for s in split_sentences(text)} == {1}


def test_a_single_newline_ends_a_sentence_unless_a_lower_case_line_continues_it() -> None:
    assert texts("Le joli coup de Microsoft\nLa décision d’écarter Sam Altman divise.") == [
        "Le joli coup de Microsoft", "La décision d’écarter Sam Altman divise."
    ]
    wrapped = "Le conseil d’administration a décidé vendredi de\nremplacer son patron."
    assert texts(wrapped) == [wrapped]
    assert Sentences(wrapped).numbered() == "[1.1] Le conseil d’administration a décidé vendredi de remplacer son patron."
    assert texts("Il a dit :\nla suite est connue.") == ["Il a dit :", "la suite est connue."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les deux jours ont été marqués par la plus grande confusion.Le ton du communiqué était offensif.",
         ["Les deux jours ont été marqués par la plus grande confusion.", "Le ton du communiqué était offensif."]),
        ("Ils ont trouvé refuge chez Microsoft.La suite est connue.",
         ["Ils ont trouvé refuge chez Microsoft.", "La suite est connue."]),
        ("La société a été fondée en 2021.Les investisseurs ont suivi.",
         ["La société a été fondée en 2021.", "Les investisseurs ont suivi."]),
        ("Node.js et Vue.js sont utilisés.", ["Node.js et Vue.js sont utilisés."]),
        ("Les U.S.Army et OpenAI.com sont cités.", ["Les U.S.Army et OpenAI.com sont cités."]),
        ("Voir Amazon.Com pour le détail.", ["Voir Amazon.Com pour le détail."]),
        ("Mme.Dupont a signé.", ["Mme.Dupont a signé."]),
        ("Sommaire : 3.Le contexte du départ.", ["Sommaire : 3.Le contexte du départ."]),
        ("Lire https://example.com/Page.Html en entier.", ["Lire https://example.com/Page.Html en entier."]),
    ],
)
def test_glued_sentences(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_glued_sentences_of_the_raw_seed_003() -> None:
    raw = SEED_003.read_text(encoding="utf-8")
    found = texts(raw)
    assert "Les deux jours qui ont suivi ont été marqués par la plus grande confusion." in found
    assert any(t.startswith("Le ton du communiqué d’OpenAI") for t in found)
    assert "La manière dont le “coup d’État” s’est déroulé à OpenAI va cependant durablement lui nuire." in found


def test_ellipses() -> None:
    assert texts("Il hésite... Puis il part.") == ["Il hésite...", "Puis il part."]
    assert texts("Sam Altman est encore à la tête d’OpenAI aujourd’hui… mais voit partir ses proches.") == [
        "Sam Altman est encore à la tête d’OpenAI aujourd’hui… mais voit partir ses proches."
    ]
    assert texts("Il hésite… Puis il part.") == ["Il hésite…", "Puis il part."]
    inside = "Un privilège extraordinaire […] Il n’y a jamais de bon moment (...) Ni de mauvais."
    assert texts(inside) == [inside]
    assert texts("Un privilège extraordinaire. […] Il n’y a jamais de bon moment.") == [
        "Un privilège extraordinaire.", "[…] Il n’y a jamais de bon moment."
    ]


def test_whitespace_is_stripped_and_long_sentences_kept_whole() -> None:
    text = "  \n\n   Il  part. \r\n\u00a0Puis il revient.   \n\n\n  "
    found = split_sentences(text)
    assert [s.text for s in found] == ["Il  part.", "Puis il revient."]
    assert_located(text, found)
    long = "Le conseil " + "a délibéré longuement, " * 2000 + "sans conclure."
    assert texts(long) == [long]


def test_nothing_to_split() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t\n") == []
    assert len(Sentences("")) == 0 and Sentences("").numbered() == ""


# --- ids and the index ------------------------------------------------------------------------------------------

ARTICLE = ("Sam Altman a été renvoyé. Greg Brockman a démissionné.\n\n"
           "Le joli coup de Microsoft\n\n\n"
           "Microsoft a recruté Sam Altman. Sans succès ? Non. « C’est fait. » Satya Nadella l’a annoncé.")


def test_ids_follow_paragraphs_and_sentences() -> None:
    found = split_sentences(ARTICLE)
    assert [(s.id, s.text) for s in found] == [
        ("1.1", "Sam Altman a été renvoyé."), ("1.2", "Greg Brockman a démissionné."),
        ("2.1", "Le joli coup de Microsoft"),
        ("3.1", "Microsoft a recruté Sam Altman."), ("3.2", "Sans succès ?"), ("3.3", "Non."),
        ("3.4", "« C’est fait. »"), ("3.5", "Satya Nadella l’a annoncé."),
    ]
    assert_located(ARTICLE, found)
    assert split_sentences(ARTICLE) == found  # stable


def test_the_index() -> None:
    index = Sentences(ARTICLE)
    assert len(index) == 8 and [s.id for s in index][:3] == ["1.1", "1.2", "2.1"]
    sentence = index.get("3.2")
    assert sentence is not None and sentence.text == "Sans succès ?" and (sentence.paragraph, sentence.index) == (3, 2)
    assert index.get("[3.2]") == index.get(" 3.2 ") == sentence
    assert index.get("4.1") is None and index.get("3") is None
    assert index.numbered() == (
        "[1.1] Sam Altman a été renvoyé.\n[1.2] Greg Brockman a démissionné.\n\n"
        "[2.1] Le joli coup de Microsoft\n\n"
        "[3.1] Microsoft a recruté Sam Altman.\n[3.2] Sans succès ?\n[3.3] Non.\n[3.4] « C’est fait. »\n"
        "[3.5] Satya Nadella l’a annoncé."
    )
    assert [index.paragraph0(i) for i in ("1.1", "2.1", "3.5")] == [0, 1, 2]
    with pytest.raises(KeyError):
        index.paragraph0("9.9")


def test_paragraph0_matches_the_evidence_paragraphs_even_after_a_leading_blank_line() -> None:
    text = " \n\nPremier paragraphe. Il continue.\n\n\nSecond paragraphe."
    index = Sentences(text)
    mapped = MappedText(text)
    for sentence in index:
        assert index.paragraph0(sentence.id) == mapped.paragraph_of(sentence.start)
    assert [s.id for s in index] == ["1.1", "1.2", "2.1"]


# --- real articles ---------------------------------------------------------------------------------------------

SEED_TEXTS = {path.stem: load_article(str(path)).text for path in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize("stem", sorted(SEED_TEXTS))
def test_seed_sentences_point_into_the_text(stem: str) -> None:
    text = SEED_TEXTS[stem]
    index = Sentences(text)
    found = list(index)
    assert_located(text, found)
    assert len(found) >= 15
    # The paragraph numbers are those of the cleaned article's paragraphs, and each sentence lies in its own.
    paras = paragraphs(text)
    assert max(s.paragraph for s in found) == len(paras)
    assert all(s.text in paras[s.paragraph - 1] for s in found)
    mapped = MappedText(text)
    assert all(index.paragraph0(s.id) == mapped.paragraph_of(s.start) for s in found)
    assert len(index.numbered().splitlines()) == len(found) + len(paras) - 1


def test_seed_003_boundaries() -> None:
    index = Sentences(load_article(str(SEED_003)).text)
    expected = {
        "1.1": "En 48 heures, l’entreprise qui fait rêver toute la Silicon Valley a vu son étoile s’assombrir.",
        "1.4": "Les deux jours qui ont suivi ont été marqués par la plus grande confusion.",
        "2.4": "La manière dont le “coup d’État” s’est déroulé à OpenAI va cependant durablement lui nuire.",
        "3.1": "Le joli coup de Microsoft",
        "5.2": "Sans succès.",
        "5.3": "Mais l’histoire ne s’arrête pas là.",
        "5.6": "Microsoft, lui, a réussi à un magnifique coup de poker en plein cataclysme.",
    }
    for sentence_id, text in expected.items():
        found = index.get(sentence_id)
        assert found is not None and found.text == text, sentence_id
    assert [s.id for s in index if s.paragraph == 1] == ["1.1", "1.2", "1.3", "1.4"]
    assert len(index) == 19


def test_seed_quotations_stay_whole() -> None:
    murati = Sentences(SEED_TEXTS["002_29228b88b642a15f"]).get("5.1")
    assert murati is not None and murati.text.startswith("« Après mûre réflexion")
    assert murati.text.endswith("» écrit Mira Murati dans sa lettre.") and "[…]" in murati.text
    zaremba = [s.text for s in Sentences(SEED_TEXTS["000_6ab38baefa898b4f"]) if s.paragraph == 8]
    assert len(zaremba) == 2 and zaremba[0].endswith("», écrit-il.") and zaremba[1].endswith("survivants. »")


# --- any text ---------------------------------------------------------------------------------------------------

NEWSY = st.text(alphabet=st.sampled_from(list("aAeÉlLMSTUJ .  ,!?…«»“”\"'’()[]-•*12\n\u00a0\u202f\r")), max_size=300)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300), NEWSY))
def test_any_text_gives_located_stripped_sentences_in_order(text: str) -> None:
    found = split_sentences(text)
    assert_located(text, found)
    paras = paragraphs(text)
    assert (max(s.paragraph for s in found) if found else 0) == len(paras)
    assert all(s.text in paras[s.paragraph - 1] for s in found)
    index = Sentences(text)
    assert [index.get(s.id) for s in found] == found
    mapped = MappedText(text)
    assert all(index.paragraph0(s.id) == mapped.paragraph_of(s.start) for s in found)
