"""What a model writes when it cites numbered sentences instead of copying them (summary prompt v4 and later).

Every claim carries `cites`: ids of the article's numbered sentences (`"3.2"`: paragraph 3, sentence 2). The
model writes only what needs a model (what matters, paraphrase, translation); every verbatim field of the
result (evidence, `date_text`, an amount's `text`, a quote's `original`) is taken from the cited sentences by
the pipeline (`summarize.grounded.derive`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..answer_base import ISO_DATE, NAME, SHORT, _Answer

SENTENCE_ID = r"^[0-9]{1,3}\.[0-9]{1,3}$"
"""`paragraph.sentence`, both 1-based ([0-9], not \\d: llama.cpp's grammar has no \\d)."""
MAX_CITES = 3

SentenceId = Annotated[str, StringConstraints(pattern=SENTENCE_ID)]
# At least one: under a grammar (llama.cpp json_schema) the model cannot leave a claim without a citation.
Cites = Annotated[
    list[SentenceId],
    Field(min_length=1, max_length=MAX_CITES, description="Ids of the article sentences that state this, like \"3.2\"."),
]


class CitedText(_Answer):
    """One sentence of the summary, or one key point, and the sentences it rests on."""

    text: str = Field(max_length=SHORT, description="One English sentence.")
    cites: Cites


class CitedPerson(_Answer):
    """A person, with the sentences that name them and give their role."""

    name: str = Field(max_length=NAME, description="Full name as the article writes it.")
    role: str | None = Field(max_length=SHORT, description="Role or title in English, if the article gives one.")
    organization: str | None = Field(max_length=NAME, description="Organization the role belongs to, if any.")
    cites: Cites


class CitedOrganization(_Answer):
    """A company, institution or group."""

    name: str = Field(max_length=NAME, description="Name as the article writes it.")
    description: str | None = Field(max_length=SHORT, description="What it is or does in this story, in English.")
    cites: Cites


class CitedEvent(_Answer):
    """Something that happened or will happen; the date as the cited sentences give it."""

    date: str | None = Field(pattern=ISO_DATE, description="ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD) or null.")
    description: str = Field(max_length=SHORT, description="What happened, in English, one sentence.")
    cites: Cites


class CitedAmount(_Answer):
    """A sum of money or another figure; its text is taken from the cited sentence."""

    value: float = Field(description="The number, fully expanded (4 milliards -> 4000000000).")
    currency: str | None = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code or null if not money.")
    description: str = Field(max_length=SHORT, description="What the amount is, in English.")
    cites: Cites


class CitedQuote(_Answer):
    """A quotation: the pipeline takes its original words from the cited sentence."""

    speaker: str | None = Field(max_length=NAME, description="Who said it, as named in the article.")
    translation: str = Field(max_length=700, description="The quotation in English.")
    cites: Cites


class CitedBrief(_Answer):
    """The brief: each summary sentence and key point cites its sentences."""

    title: str = Field(max_length=SHORT, description="A factual English headline.")
    title_cites: Cites
    summary: list[CitedText] = Field(min_length=1, max_length=10, description="The summary, one sentence an item.")
    key_points: list[CitedText] = Field(min_length=1, max_length=8)
    source_language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the article's language.")


class CitedFacts(_Answer):
    """Key facts, each with its citations."""

    people: list[CitedPerson] = Field(max_length=12)
    organizations: list[CitedOrganization] = Field(max_length=12)
    events: list[CitedEvent] = Field(max_length=8)
    amounts: list[CitedAmount] = Field(max_length=8)
    quotes: list[CitedQuote] = Field(max_length=5)


class CitedSummary(_Answer):
    """The model's whole answer for one article (or one part of a long one), citing sentences by id.

    Facts first: written before the brief, they are read out of the article while the model still looks at
    it, and the brief can then rest on them (a 1.5B model that wrote the brief first listed two people of seven).
    """

    key_facts: CitedFacts
    brief: CitedBrief


class Verdict(_Answer):
    """A verifier's judgement of one claim against the sentences it cites.

    Three labels, not yes/no: on the 1.5B model yes/no flagged 13 of 28 true claims, a reason written first
    5 of 28; the three-way label none (docs/verification-probe.md). "contradicted" and "not-mentioned" flag.
    """

    label: Literal["supported", "contradicted", "not-mentioned"]

    @property
    def supported(self) -> bool:
        """True when the sentences say what the claim says."""
        return self.label == "supported"
