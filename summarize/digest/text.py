"""The written digest of a story: a few sentences by the model from the merged facts (not the articles), checked.

The input is short and cheap: the story's merged events and amounts as numbered facts (F1, F2 ...), each with its
date and how many articles report it. Each sentence of the answer cites 1 to 3 facts, and is checked against
them: the ids exist, the sentence is in the target language, and every name and number it writes is in its
facts or in the article sentences those facts cite. With `--verify`, a verifier model also judges each sentence
against those article sentences (the meaning check of a brief's claims).
"""

from __future__ import annotations

from dataclasses import replace

from .. import languages
from ..checks.grounding import ungrounded_names, ungrounded_numbers, words_of
from ..checks.language import language_of
from ..cache import cache_key
from ..errors import CacheError, SummarizeError
from ..grounded.claims import Claim
from ..grounded.pipeline import sentences_of
from ..grounded.schema import Verdict
from ..grounded.verify import calls
from ..history import note_usage
from ..pipeline import Pipeline
from ..reading.sentences import Sentence
from ..schemas import DigestSentence, DigestText, Result, ResultWarning
from .merge import MergedFacts
from .model import Fact, Written

MAX_FACTS = 24
"""The most facts one request lists (events told by most articles first): the story, not every detail."""


def numbered_facts(facts: MergedFacts) -> list[Fact]:
    """The story's events (and amounts) as numbered facts, the most reported first, then in timeline order."""
    ranked = sorted(facts.events, key=lambda e: -len({c.article for c in e.citations}))[:MAX_FACTS]
    chosen = [e for e in facts.events if e in ranked]  # back in timeline order
    made = []
    for i, event in enumerate(chosen, 1):
        sources = len({c.article for c in event.citations})
        differ = f"; sources differ on the date: {', '.join(v.value for v in event.dates)}" if event.differs else ""
        line = f"[F{i}] {event.date or 'undated'}: {event.description} ({sources} article(s){differ})"
        made.append(Fact(id=f"F{i}", line=line, citations=event.citations))
    for j, amount in enumerate(facts.amounts, len(made) + 1):
        texts = ", ".join(v.value for v in amount.texts)
        made.append(Fact(id=f"F{j}", line=f"[F{j}] {amount.description}: {texts}", citations=amount.citations))
    return made


def _warn(kind: str, where: str, text: str, detail: str) -> ResultWarning:
    return ResultWarning.model_validate({"kind": kind, "field": where, "text": text[:200], "detail": detail})


def check(text: DigestText, facts: dict[str, Fact], results: dict[str, Result], articles: dict[str, str], target: str) -> list[ResultWarning]:
    """Every sentence against its cited facts and their articles' sentences: ids, language, names and numbers."""
    warnings = []
    for i, sentence in enumerate(text.sentences):
        where = f"digest.sentences[{i}]"
        unknown = [f for f in sentence.facts if f not in facts]
        if unknown:
            warnings.append(_warn("wrong-citation", where, ", ".join(unknown), "no such fact"))
        found = language_of(sentence.text)
        if found is not None and found != target:
            warnings.append(_warn("wrong-language", where, sentence.text, f"written in '{found}', not '{target}'"))
        cited = [facts[f] for f in sentence.facts if f in facts]
        if not cited:
            continue  # nothing to hold it to: its wrong citation says so
        source = " ".join(f.line for f in cited)
        for fact in cited:
            for c in fact.citations:
                if c.article in articles:
                    numbered = sentences_of(articles[c.article])  # split once per article (cached), not per citation
                    source += " " + " ".join(s.text for sid in c.sentences if (s := numbered.get(sid)) is not None)
        for name in ungrounded_names(sentence.text, words_of(source)):
            warnings.append(_warn("name-not-found", where, name, "not in the facts it cites nor their sentences"))
        for number in ungrounded_numbers(sentence.text, source):
            warnings.append(_warn("number-not-found", where, number, "not in the facts it cites nor their sentences"))
    return warnings


def _sources(sentence: DigestSentence, facts: dict[str, Fact], articles: dict[str, str]) -> tuple[Sentence, ...]:
    """The article sentences a digest sentence rests on (through the facts it cites), each id led by its article."""
    found: dict[str, Sentence] = {}
    for fact in (facts[f] for f in sentence.facts if f in facts):
        for c in fact.citations:
            numbered = sentences_of(articles[c.article]) if c.article in articles else None
            for sid in c.sentences:
                s = numbered.get(sid) if numbered is not None else None
                if s is not None:
                    found.setdefault(f"{c.article} {sid}", replace(s, id=f"{c.article} {sid}"))
    return tuple(found.values())


def _spent(pipeline: Pipeline, model: str, tokens_in: int, tokens_out: int) -> None:
    """The run history's tokens and cost of a request that makes no result of its own."""
    cost = pipeline.model.cost(tokens_in, tokens_out) if model == pipeline.settings.model else None
    note_usage(model, tokens_in, tokens_out, cost)


def verify(pipeline: Pipeline, text: DigestText, facts: dict[str, Fact], articles: dict[str, str],
           flagged: set[str]) -> tuple[list[ResultWarning], int]:  # fmt: skip
    """The check of meaning (as for a brief, summarize.grounded.verify): each sentence not already flagged, beside
    the article sentences its facts cite, judged by the verifier; one request a sentence. Returns the `unsupported`
    warnings and how many sentences were judged."""
    prompt = pipeline.prompts.load("verify", None)
    claims = [Claim(field=f"digest.sentences[{i}]", text=s.text, sentences=cited)
              for i, s in enumerate(text.sentences) if (cited := _sources(s, facts, articles)) and f"digest.sentences[{i}]" not in flagged]  # fmt: skip
    warnings, judged = [], 0
    for claim, call in zip(claims, calls(claims, prompt)):
        try:
            judgement = pipeline.verifier_client.complete(call.messages, Verdict, sampling=call.sampling)
        except SummarizeError:
            continue  # a verifier that fails leaves the sentence unjudged, as for a brief (never a false flag)
        verdict = judgement.value
        _spent(pipeline, pipeline.settings.verifier().model, judgement.input_tokens, judgement.output_tokens)
        judged += 1
        if not verdict.supported:
            ids = ", ".join(s.id for s in claim.sentences)
            detail = f"{pipeline.settings.verifier_name} judged it {verdict.label} by its sentences [{ids}]"
            warnings.append(_warn("unsupported", claim.field, claim.text, detail[:400]))
    return warnings, judged


def write(pipeline: Pipeline, facts: MergedFacts, results: dict[str, Result], articles: dict[str, str],
          *, prompt_version: int | None = None) -> Written:  # fmt: skip
    """One request for a story's digest text, in the settings' target language, checked (and, with `--verify`,
    each sentence's meaning judged against the article sentences it rests on: one more request a sentence)."""
    prompt = pipeline.prompts.load("digest", prompt_version)
    made = numbered_facts(facts)
    target = languages.primary(pipeline.settings.target_language)
    messages = prompt.render(facts="\n".join(f.line for f in made), language=languages.name(pipeline.settings.target_language))
    key = _key(pipeline, prompt.sha256, messages, articles)
    if pipeline.cache is not None and (hit := pipeline.cache.get_model(key, Written)) is not None:
        return hit  # the same facts, prompt, model and checks: written (and paid for) once
    completion = pipeline.client.complete(messages, DigestText, sampling=prompt.sampling)
    _spent(pipeline, pipeline.settings.model, completion.input_tokens, completion.output_tokens)
    by_id = {f.id: f for f in made}
    warnings = check(completion.value, by_id, results, articles, target)
    judged = 0
    if pipeline.settings.verifying:
        flags, judged = verify(pipeline, completion.value, by_id, articles, {w.field for w in warnings if w.field})
        warnings += flags
    written = Written(text=completion.value, facts=by_id, warnings=warnings, verified=judged)
    if pipeline.cache is not None:
        try:
            pipeline.cache.set(key, written)
        except CacheError:
            pass  # delivered all the same; the next digest asks again
    return written


def _key(pipeline: Pipeline, prompt: str, messages: object, articles: dict[str, str]) -> str:
    """Everything that shapes a written digest: the request, model and endpoint, and what its checks read."""
    s = pipeline.settings
    return cache_key({"task": "digest", "prompt": prompt, "messages": messages, "model": s.model, "endpoint": s.endpoint_host,
                      "replayed": s.replay_dir is not None, "verifier": s.verifier_name if s.verifying else None,
                      "articles": sorted(articles.items())})  # fmt: skip  (hashed whole: what the checks read)


__all__ = ["MAX_FACTS", "check", "numbered_facts", "verify", "write"]
