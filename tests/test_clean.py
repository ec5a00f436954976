"""The cleaner on the five seeds (every boilerplate line dropped by the right rule, every content line kept once)
and on synthetic French and English pages, plus properties that must hold for any input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.reading.clean import RULES, Cleaned, clean_text, paragraphs

from .fakes import SEEDS

# Per seed: the 1-based raw line of the title (None: the page has none) and every line that must be
# dropped, with its rule. Every other non-blank line is content and must come out exactly once.
SEED_EXPECTATIONS: dict[str, tuple[int | None, dict[int, str]]] = {
    "000_6ab38baefa898b4f": (
        1,
        {7: "newsletter", 9: "newsletter", 11: "newsletter", 15: "title_repeat", 27: "related",
         41: "recap", 42: "recap", 43: "recap", 44: "recap"},
    ),
    "001_032697ea5a8e0f72": (1, {8: "correction_prompt"}),
    "002_29228b88b642a15f": (
        None,
        {1: "debris", 9: "caption", 17: "caption", 23: "caption", 31: "caption",
         37: "paywall", 39: "paywall", 41: "paywall", 43: "paywall", 45: "paywall", 47: "paywall", 49: "paywall"},
    ),
    "003_f41e5d1e8166288f": (
        4,
        {1: "debris", 2: "debris", 6: "debris", 15: "syndication", 17: "syndication", 19: "syndication",
         21: "syndication", 23: "syndication", 25: "title_repeat", 27: "debris", 32: "duplicate",
         36: "syndication", 38: "syndication", 40: "syndication", 42: "syndication", 44: "syndication",
         46: "debris"},
    ),
    "004_f107642b8108e255": (1, {}),
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _dropped_lines(cleaned: Cleaned) -> dict[int, str]:
    """Raw line number -> rule, expanding drops that span several lines (a bullet recap is one entry)."""
    lines: dict[int, str] = {}
    for drop in cleaned.dropped:
        for offset in range(drop.text.count("\n") + 1):
            lines[drop.line + offset] = drop.rule
    return lines


@pytest.fixture(params=sorted(SEED_EXPECTATIONS), ids=lambda stem: stem[:3])
def seed(request: pytest.FixtureRequest) -> tuple[str, list[str], Cleaned]:
    """A seed's stem, its raw lines and what the cleaner made of it."""
    raw = (SEEDS / f"{request.param}.txt").read_text(encoding="utf-8")
    return request.param, raw.splitlines(), clean_text(raw)


def test_seed_boilerplate_is_dropped_line_by_line_with_the_right_rule(seed: tuple[str, list[str], Cleaned]) -> None:
    stem, _, cleaned = seed
    _, expected = SEED_EXPECTATIONS[stem]
    assert _dropped_lines(cleaned) == expected


def test_seed_content_lines_are_all_kept_exactly_once_and_in_order(seed: tuple[str, list[str], Cleaned]) -> None:
    stem, lines, cleaned = seed
    title_line, expected = SEED_EXPECTATIONS[stem]
    content = [line for n, line in enumerate(lines, 1) if line.strip() and n not in expected and n != title_line]
    # Whitespace aside, the body is exactly the content lines in order: nothing lost, nothing repeated.
    assert _squash(cleaned.text) == _squash("".join(content))
    if title_line is not None:
        assert cleaned.title == lines[title_line - 1].strip()
    else:
        assert cleaned.title is None


def test_seed_003_syndication_footer_becomes_metadata() -> None:
    cleaned = clean_text((SEEDS / "003_f41e5d1e8166288f.txt").read_text(encoding="utf-8"))
    assert cleaned.url == (
        "https://www.lexpress.fr/economie/high-tech/openai-le-roi-altman-est-mort-vive-le-roi-X33WMLYATNDRRP7W3XDXLKGT54/"
    )
    assert cleaned.author == "Anne Cagan"
    assert cleaned.published == "2023-11-20T12:16:51"
    assert cleaned.site_name == "L’Express"
    assert cleaned.title == "OpenAI : le roi Altman est mort, vive le roi"


def test_seed_003_glued_sentences_are_split_into_their_paragraphs() -> None:
    cleaned = clean_text((SEEDS / "003_f41e5d1e8166288f.txt").read_text(encoding="utf-8"))
    paras = paragraphs(cleaned.text)
    assert paras[0].endswith("marqués par la plus grande confusion.")
    assert paras[1].startswith("Le ton du communiqué")
    assert "Le joli coup de Microsoft" in paras
    assert any(p.startswith("La décision d’écarter Sam Altman") for p in paras)
    assert any(p.startswith("Bien qu’il soit un partenaire") for p in paras)
    assert len(cleaned.fixes) == 4


def test_seed_002_reader_mode_debris_gives_the_publication_month() -> None:
    cleaned = clean_text((SEEDS / "002_29228b88b642a15f.txt").read_text(encoding="utf-8"))
    assert cleaned.published == "2024-09"


def test_every_rule_used_on_the_seeds_is_documented() -> None:
    used = {rule for _, expected in SEED_EXPECTATIONS.values() for rule in expected.values()}
    assert used <= set(RULES)
    assert {"debris", "newsletter", "related", "caption", "paywall", "correction_prompt", "syndication",
            "title_repeat", "duplicate", "recap"} <= used


# --------------------------------------------------------------------------- other sites, other languages

ENGLISH_PAGE = """Newspapers bet on subscriptions as ad revenue slumps

By Jane Doe
Published March 3, 2024

Advertisement

The Daily Ledger said on Monday that digital subscriptions rose 12% last year, to 1.2 million paying readers, \
while advertising revenue fell for the third year in a row.

Sign up for our newsletter to get the latest news delivered to your inbox.

Executives argue that readers will pay for journalism they trust. "Subscriptions are now our main business," \
said chief executive Mark Lee.

Photo: Getty Images

Related: How paywalls changed local news

Read more: Ad market shrinks again

The paper plans to invest in its newsroom and to hire 40 reporters, according to a memo seen by Reuters.

Subscribe now to continue reading. Already a subscriber? Log in.

Share this article
"""

FRENCH_PAGE = """Mistral AI lève 600 millions d'euros

Par Jean Dupont
Publié le 11 juin 2024 à 10h30

La start-up française Mistral AI a annoncé mardi une levée de fonds de 600 millions d'euros, qui la valorise \
à près de 6 milliards d'euros.

À lire aussi : Les champions français de l'IA

Selon M. Mensch, cofondateur de l'entreprise, l'argent servira à recruter et à acheter de la puissance de \
calcul.Les investisseurs incluent General Catalyst.

Crédit photo : AFP

Abonnez-vous pour lire la suite de cet article.

Les médias qui vivent de l'abonnement de leurs lecteurs suivent de près ce secteur, et plusieurs journaux ont \
signé des accords de licence avec des entreprises d'IA.
"""


def test_english_page_about_subscriptions_keeps_its_prose_and_loses_its_chrome() -> None:
    cleaned = clean_text(ENGLISH_PAGE)
    assert {d.text: d.rule for d in cleaned.dropped} == {
        "By Jane Doe": "byline",
        "Published March 3, 2024": "byline",
        "Advertisement": "debris",
        "Sign up for our newsletter to get the latest news delivered to your inbox.": "newsletter",
        "Photo: Getty Images": "caption",
        "Related: How paywalls changed local news": "related",
        "Read more: Ad market shrinks again": "related",
        "Subscribe now to continue reading. Already a subscriber? Log in.": "paywall",
        "Share this article": "debris",
    }
    paras = paragraphs(cleaned.text)
    assert [p[:20] for p in paras] == ["The Daily Ledger sai", "Executives argue tha", "The paper plans to i"]
    assert (cleaned.title, cleaned.author, cleaned.published) == (
        "Newspapers bet on subscriptions as ad revenue slumps", "Jane Doe", "2024-03-03")


def test_french_page_with_inline_promos_and_a_paragraph_about_subscriptions() -> None:
    cleaned = clean_text(FRENCH_PAGE)
    assert [d.rule for d in cleaned.dropped] == ["byline", "byline", "related", "caption", "paywall"]
    assert cleaned.author == "Jean Dupont"
    assert cleaned.published == "2024-06-11T10:30:00"
    assert "Les médias qui vivent de l'abonnement de leurs lecteurs" in cleaned.text
    assert "calcul.\n\nLes investisseurs" in cleaned.text


@pytest.mark.parametrize(
    "text",
    [
        "OpenAI publie son rapport sur openai.com et sur GitHub.",
        "Selon M. Dupont, la valorisation atteint 3.5 milliards.",
        "The U.S. government and e.g. Node.js users were affected.",
        "Le modèle GPT-4.5 sort aujourd’hui… Les réactions sont mitigées ?Non.",
    ],
)
def test_glued_sentence_repair_leaves_abbreviations_numbers_and_domains_alone(text: str) -> None:
    cleaned = clean_text(f"Un titre de test pour cet article\n\n{text} " + "Du texte ordinaire suit ici. " * 5)
    assert not [f for f in cleaned.fixes if any(token in f for token in ("openai.com", "M. Dupont", "3.5", "U.S",
                                                                         "e.g", "Node.js", "GPT-4.5"))]


@pytest.mark.parametrize(
    ("glued", "first", "second"),
    [
        ("la plus grande confusion.Le ton était offensif.", "confusion.", "Le ton"),
        ("the board met on Friday.The chief executive left.", "Friday.", "The chief"),
        ("« C'est fini », a-t-il dit.Après cela, silence.", "dit.", "Après cela"),
    ],
)
def test_glued_sentences_are_split(glued: str, first: str, second: str) -> None:
    body = "Ceci est un paragraphe ordinaire qui ouvre l'article et donne le contexte. " * 2
    cleaned = clean_text(f"Titre de l'article de test\n\n{body}\n\n{glued}")
    paras = paragraphs(cleaned.text)
    assert any(p.endswith(first) for p in paras)
    assert any(p.startswith(second) for p in paras)
    assert cleaned.fixes


def test_editorial_correction_notice_is_content_but_a_report_an_error_prompt_is_not() -> None:
    body = "Un long paragraphe d'article qui raconte les faits de la semaine avec assez de mots pour compter. " * 2
    cleaned = clean_text(
        f"Titre\n\n{body}\n\nCorrection : une version antérieure de cet article se trompait de date.\n\n"
        "Vous avez repéré une erreur ? Signalez-la ici\n\nSpotted a mistake? Let us know."
    )
    assert "Correction : une version antérieure" in cleaned.text
    assert [d.rule for d in cleaned.dropped] == ["correction_prompt", "correction_prompt"]


def test_a_chronology_of_dates_inside_the_article_is_kept() -> None:
    long = "Le conseil d'administration a pris une décision que personne n'attendait dans la Silicon Valley."
    text = f"Chronologie d'une crise\n\n{long}\n\n17 novembre 2023\n\n{long} Suite.\n\n20 novembre 2023\n\n{long} Fin."
    cleaned = clean_text(text)
    assert "17 novembre 2023" in paragraphs(cleaned.text)
    assert "20 novembre 2023" in paragraphs(cleaned.text)
    # The first sentence, repeated at the start of the next paragraphs, is not a headline: the line above it
    # would have been dropped as a label. Nothing vouches for "Chronologie d'une crise" either: it stays.
    assert cleaned.title is None and cleaned.dropped == () and paragraphs(cleaned.text)[0] == "Chronologie d'une crise"


def test_read_also_inside_a_sentence_is_prose() -> None:
    text = ("Titre\n\nLes lecteurs peuvent lire aussi le rapport complet publié par la Commission européenne, "
            "qui détaille les obligations des fournisseurs de modèles d'IA.")
    assert "lire aussi le rapport" in clean_text(text).text


WIRE_PAGE = """Nvidia overtakes Apple as the world's most valuable company

Reporting by Jane Smith in San Francisco; Editing by Tom Brown

June 18, 2024 10:42 PM GMT+2 Updated 2 hours ago

Nvidia shares rose 3.5% on Tuesday, lifting the chipmaker's market value to $3.34 trillion and past Apple and Microsoft.

Advertisement · Scroll to continue

The company's chips power most of the artificial intelligence systems built since the launch of ChatGPT, analysts said.

Get the latest news and expert analysis about the state of the global economy with the Reuters Econ World newsletter. Sign up here.

"Demand is still running well ahead of supply," said chief executive Jensen Huang at the company's annual meeting.

Our Standards: The Thomson Reuters Trust Principles.

Explore more on these topics

Reuse this content

Most popular

Cookie settings
"""

LE_MONDE_PAGE = """Le gouvernement veut encadrer l'intelligence artificielle

Le Monde avec AFP

Publié aujourd’hui à 10h12, modifié à 11h05

Article réservé à nos abonnés

Ajouter à vos sélections

Le gouvernement a présenté mercredi un projet de loi destiné à encadrer l'usage de l'intelligence artificielle dans les services publics, a annoncé la ministre du numérique.

Lire aussi | L’Union européenne adopte l’AI Act

Le texte prévoit notamment la création d'une autorité de contrôle indépendante, qui pourra infliger des amendes allant jusqu'à 10 millions d'euros.

Newsletter « La Lettre des idées » Chaque samedi, retrouvez les débats qui animent la société. S’inscrire

Selon la ministre, « l'objectif est de protéger les citoyens sans freiner l'innovation ».

Le Monde avec AFP

Réutiliser ce contenu
"""


def test_a_wire_story_page_loses_credits_stamps_widgets_and_footers() -> None:
    cleaned = clean_text(WIRE_PAGE)
    assert [(d.line, d.rule) for d in cleaned.dropped] == [
        (3, "byline"), (5, "byline"), (9, "debris"), (13, "newsletter"), (17, "syndication"), (19, "related"),
        (21, "debris"), (23, "related"), (25, "debris"),
    ]
    assert [p[:12] for p in paragraphs(cleaned.text)] == ["Nvidia share", "The company'", '"Demand is s']
    assert (cleaned.author, cleaned.published) == ("Jane Smith", "2024-06-18T22:42:00")


def test_a_french_daily_page_loses_agency_credits_labels_and_its_newsletter_box() -> None:
    cleaned = clean_text(LE_MONDE_PAGE)
    assert [(d.line, d.rule) for d in cleaned.dropped] == [
        (3, "byline"), (5, "byline"), (7, "paywall"), (9, "debris"), (13, "related"), (17, "newsletter"),
        (21, "byline"), (23, "debris"),
    ]
    assert len(paragraphs(cleaned.text)) == 3
    assert cleaned.site_name == "Le Monde"


@pytest.mark.parametrize(
    "prose",
    [
        "The newsletter platform Substack said 50,000 writers now charge the readers who subscribe.",
        "Reporting by the Financial Times showed that the company had missed its targets for a year.",
        "Les cookies tiers disparaîtront de Chrome en 2025, a confirmé Google, qui teste une alternative.",
        "Selon l'AFP et Reuters, la ministre a quitté la réunion avant la fin, sans faire de déclaration.",
    ],
)
def test_prose_that_mentions_newsletters_credits_or_cookies_is_kept(prose: str) -> None:
    body = "Un long paragraphe d'ouverture qui donne le contexte de l'article avec assez de mots pour compter."
    cleaned = clean_text(f"Titre de l'article\n\n{body}\n\n{prose}\n\n{body} Fin.")
    assert prose in paragraphs(cleaned.text)


# --------------------------------------------------------------------------- properties

_markers = st.sampled_from(["", "Histoires connexes", "close", "Photo : AFP", "Tags : X", "* . *", "\u00a0", "\ufeff"])
_scraped = st.lists(st.one_of(st.text(max_size=200), _markers), max_size=12).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(_scraped)
def test_never_raises_and_never_returns_more_text_than_it_got(raw: str) -> None:
    cleaned = clean_text(raw)
    # Splitting glued sentences adds whitespace only, so compare non-whitespace characters.
    assert len(_squash(cleaned.text)) <= len(_squash(raw))
    assert all(rule in RULES for rule in (d.rule for d in cleaned.dropped))


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç", min_size=4, max_size=10)
_sentence = st.lists(_word, min_size=8, max_size=25).map(lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]) + ".")
_plain_paragraphs = st.lists(_sentence, min_size=2, max_size=6, unique=True)


@settings(max_examples=200, deadline=None)
@given(_plain_paragraphs)
def test_paragraphs_without_boilerplate_markers_are_all_kept(paras: list[str]) -> None:
    raw = "Un titre ordinaire\n\n" + "\n\n".join(paras)
    cleaned = clean_text(raw)
    # Nothing in the text vouches for the first line as a title, so it stays in the body: nothing is lost.
    assert cleaned.title is None and paragraphs(cleaned.text) == ["Un titre ordinaire", *paras]


def test_seeds_directory_holds_the_five_articles() -> None:
    assert sorted(p.stem for p in Path(SEEDS).glob("*.txt")) == sorted(SEED_EXPECTATIONS)


_UNSEEN_PAGE = """Press "Enter" to skip to content

Retour à toutes les actualités

Connect with us

Actualité

Intelligence Artificielle

Mistral AI lève 600 millions d'euros pour ses modèles

Publié le

12 mars 2025

• il y a 4 ans

0

Mistral AI a levé 600 millions d'euros auprès…

Mistral AI a levé 600 millions d'euros auprès de fonds européens et américains, a annoncé mardi la start-up parisienne, valorisée 6 milliards d'euros.

Published

on

Les fonds serviront à entraîner de nouveaux modèles et à recruter, précise la société, qui compte 600 salariés.

Write for us: submit a guest post

Rejoignez notre groupe Facebook pour suivre l'actualité de l'IA

Monthly Archives: May 2021

Category

News
"""


def test_kinds_of_boilerplate_seen_on_unseen_pages_are_dropped_and_the_title_has_evidence() -> None:
    cleaned = clean_text(_UNSEEN_PAGE)
    assert cleaned.title == "Mistral AI lève 600 millions d'euros pour ses modèles"
    assert cleaned.published == "2025-03-12"
    assert paragraphs(cleaned.text) == [
        "Mistral AI a levé 600 millions d'euros auprès de fonds européens et américains, a annoncé mardi la "
        "start-up parisienne, valorisée 6 milliards d'euros.",
        "Les fonds serviront à entraîner de nouveaux modèles et à recruter, précise la société, qui compte 600 salariés.",
    ]
    assert {d.text: d.rule for d in cleaned.dropped} == {
        'Press "Enter" to skip to content': "debris",
        "Retour à toutes les actualités": "navigation",
        "Connect with us": "navigation",
        "Actualité": "debris",
        "Intelligence Artificielle": "navigation",
        "Publié le": "byline",
        "12 mars 2025": "byline",
        "• il y a 4 ans": "byline",
        "0": "debris",
        "Mistral AI a levé 600 millions d'euros auprès…": "duplicate",
        "Published": "byline",
        "on": "debris",
        "Write for us: submit a guest post": "promo",
        "Rejoignez notre groupe Facebook pour suivre l'actualité de l'IA": "promo",
        "Monthly Archives: May 2021": "navigation",
        "Category": "debris",
        "News": "debris",
    }


_article = st.lists(
    st.lists(_sentence, min_size=2, max_size=3).map(" ".join), min_size=2, max_size=5, unique=True
)


@settings(max_examples=200, deadline=None)
@given(_article, st.data())
def test_a_headline_the_body_vouches_for_is_the_title_whatever_menu_sits_above_it(paras: list[str], data) -> None:
    words = [w for w in paras[0].rstrip(".").split() if len(w) >= 4][:6]
    headline = " ".join(words).capitalize()
    menu = data.draw(st.lists(st.sampled_from(["Menu", "Accueil", "Actualité", "Connect with us", "Skip to content"])))
    cleaned = clean_text("\n\n".join([*menu, headline, *paras]))
    assert cleaned.title == headline
    assert paragraphs(cleaned.text) == paras  # every paragraph kept, the menu gone
