"""The check of meaning: each (claim, cited sentences) pair judged by a verifier model, one pair per request.

Words can be right and the meaning wrong: "they agreed to pay Google" cites the sentence where Google pays and
passes every word check. A verifier reads the claim beside its sentences and says whether they support it.
One pair per request (a small model given ten pairs at once gave nearly the same label to all of them); short
answers; the same endpoint by default, or `--verify-model` / `--verify-base-url`. A claim judged unsupported
is kept and flagged `unsupported` (never deleted: a weak verifier's false alarm must not cost a true claim).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..schemas import ResultWarning
from .claims import Claim
from .schema import CitedSummary, Verdict

if TYPE_CHECKING:
    from ..prompts import Prompt
    from ..tasks.base import Call

VERIFIED_FIELDS = ("brief.title", "brief.summary", "brief.key_points", "key_facts.events", "key_facts.people")
"""Which claims are sent to the verifier: the brief's prose, events, and people with a role."""


@dataclass
class Verified:
    """A cited answer with the verifier's verdicts on its claims (by claim field)."""

    answer: CitedSummary
    verdicts: dict[str, Verdict] = field(default_factory=dict)


def verifiable(claims: list[Claim], flagged: set[str]) -> list[Claim]:
    """The claims worth a request: of the verified fields, with sentences, not already flagged by a cheaper check."""
    chosen = []
    for claim in claims:
        if not claim.sentences or claim.field in flagged or not claim.field.startswith(VERIFIED_FIELDS):
            continue
        if claim.field.startswith("key_facts.people") and claim.text.count(",") == 0:
            continue  # a name alone says nothing to verify
        chosen.append(claim)
    return chosen


def statement(claim: Claim) -> str:
    """The claim as one sentence a verifier can judge."""
    if claim.field.startswith("key_facts.people"):
        name, _, rest = claim.text.partition(", ")
        role, _, organization = rest.partition(", ")
        return f"{name} is {role}" + (f" of {organization}" if organization else "") + "."
    return claim.text


def calls(claims: list[Claim], prompt: Prompt) -> list[Call]:
    """One request per claim, answered with a Verdict, on the verifier's client."""
    from ..tasks.base import Call

    made = []
    for claim in claims:
        lines = "\n".join(f"[{s.id}] {s.text}" for s in claim.sentences)
        messages = prompt.render(claim=statement(claim), sentences=lines)
        made.append(Call(messages, prompt.sampling, answer=Verdict, verify=True, optional=True, label=claim.field))
    return made


def warnings(verified: Verified, claims: list[Claim], verifier: str) -> list[ResultWarning]:
    """An `unsupported` flag for every claim the verifier judged not supported by its sentences."""
    by_field = {c.field: c for c in claims}
    found = []
    for where, verdict in verified.verdicts.items():
        if verdict.supported or where not in by_field:
            continue
        claim = by_field[where]
        ids = ", ".join(s.id for s in claim.sentences)
        found.append(
            ResultWarning(
                kind="unsupported",
                field=where,
                text=claim.text[:80],
                detail=f"{verifier} judged it {verdict.label} by its sentences [{ids}]"[:400],
            )
        )
    return found
