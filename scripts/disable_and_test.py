"""Show that the translation, task, cleaning, evaluation, grounding, runs, HTML, digest, focus, history, streaming,
config-file and local-model tests can fail: switch one feature off, run them, count the failures.

    python scripts/disable_and_test.py            every feature, one at a time (about a minute)
    python scripts/disable_and_test.py NAME...    some of them

Each run happens in a fresh interpreter with the feature monkeypatched away; "none" patches nothing
and must show 0 failures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = [
    "tests/test_translate.py", "tests/test_tasks.py", "tests/test_recorded.py", "tests/test_cleaning_corpus.py",
    "tests/test_clean.py", "tests/test_eval.py", "tests/test_grounded.py", "tests/test_sentences.py", "tests/test_derive.py",
    "tests/test_runs.py", "tests/test_html.py", "tests/test_browser.py", "tests/test_feeds.py", "tests/test_feed_runs.py",
    "tests/test_pdf.py", "tests/test_digest.py", "tests/test_digest_merge.py", "tests/test_digest_output.py", "tests/test_focus.py",
    "tests/test_history.py", "tests/test_streaming.py", "tests/test_config_file.py", "tests/test_local.py",
]

PATCHES = {
    "none": "",
    "alignment": "import summarize.checks.translation as m; m.check_alignment = lambda answer, sources: []",
    "preserved": "import summarize.checks.translation as m; m._paragraph = lambda *a, **k: []",
    "glossary-check": (
        "import summarize.checks.translation as m; f = m._paragraph; "
        "m._paragraph = lambda field, s, t, target, glossary: f(field, s, t, target, None)"
    ),
    "glossary-prompt": (
        "import summarize.tasks.translate as m; f = m.TranslateTask.variables; "
        "m.TranslateTask.variables = lambda self, *a: {**f(self, *a), 'glossary': '(none)'}"
    ),
    "length": (
        "import summarize.tasks.summary as m; f = m.SummaryTask.variables; "
        "m.SummaryTask.variables = lambda self, *a: {**f(self, *a), **({'length_rule': 'summary: 3 to 5 sentences. "
        "key_points: 3 to 6.'} if 'length_rule' in f(self, *a) else {})}"
    ),
    "options-in-key": (
        "import summarize.pipeline as m; f = m.Pipeline.identity; "
        "m.Pipeline.identity = lambda self, *a: {k: v for k, v in f(self, *a).items() if k != 'options'}"
    ),
    "schema-words": "import summarize.tasks.summary as m; m.SummaryTask.schema_words = lambda self: {}",
    "merge-offset": (
        "import summarize.tasks.translate as m; from summarize.schemas import Translation; "
        "m.TranslateTask.merge = lambda self, article, parts, reduce, answers, **k: Translation("
        "title=answers[0].title, paragraphs=[p for a in answers for p in a.paragraphs])"
    ),
    "target-language-check": (
        "import summarize.tasks.summary as m, summarize.checks as c; f = c.check_answer; "
        "m.check_answer = lambda s, a, target='en': f(s, a, target='en')"
    ),
    "follow-up": "import summarize.tasks.translate as m; m.TranslateTask.follow_up = lambda self, plan, answer: []",
    # the cleaner before the cleaning corpus: the first surviving headline-shaped line is the title
    "title-evidence": (
        "import summarize.reading.clean.engine as m, summarize.reading.clean.title as t; m.choose_title = lambda pieces: next("
        "(i for i, p in enumerate(pieces) if p.rule is None and t.headline_like(p)), None)"
    ),
    "labels-above-title": "import summarize.reading.clean.title as t; t._label = lambda text: False",
    # the evaluation's matching rules, one at a time
    "eval-aliases": "import summarize.evaluation.scoring as m; m._forms = lambda name, aliases: {m.norm(name)}",
    "eval-optional": (
        "import summarize.evaluation.scoring as m; f = m.match; "
        "m.match = lambda a, g, *r: f(a, [x.model_copy(update={'optional': False}) for x in g], *r)"
    ),
    "eval-event-rules": "import summarize.evaluation.scoring as m; m._event_matches = lambda item, gold: True",
    "eval-quote-speaker": "import summarize.evaluation.scoring as m; m._names_match = lambda said, name, aliases: True",
    # grounded by construction (prompt v4): each derivation and check, one at a time
    "sentence-ids": "import summarize.reading.sentences as m; m.Sentences.get = lambda self, id: None",
    "bad-citations-kept": (
        "import summarize.grounded.derive as m; f = m._Deriver.cites; "
        "m._Deriver.cites = lambda self, where, text, ids, keep=False: f(self, where, text, ids, keep=True)"
    ),
    "duplicates-kept": "import summarize.grounded.derive as m; m._alike = lambda a, b: False; m.normalize = lambda t: str(id(t))",
    "date-derivation": "import summarize.grounded.derive as m; m.find_date = lambda *a, **k: None; m.dates_in = lambda t: []",
    "amount-derivation": "import summarize.grounded.derive as m; m.find_amount = lambda *a: None; m.money_in = m.numbers_in = lambda t: []",
    "quote-derivation": "import summarize.grounded.derive as m; m.quotations = lambda text: [text]",
    "cited-grounding": "import summarize.grounded.pipeline as m; m.check_claims = lambda *a, **k: []",
    "grave-claims": "import summarize.checks.grave as m; m.GRAVE = ()",
    "example-leak": "import summarize.grounded.pipeline as m; m.example_leaks = lambda *a: []",
    "verifier": "import summarize.tasks.summary as m; m.SummaryTask.follow_up = lambda self, plan, answer: []",
    "verifier-endpoint": "import summarize.config as m; m.Settings.verifier = lambda self: self",
    "names-in-prompt": "import summarize.grounded.pipeline as m; m.names_in = lambda sentences: []",
    "source-summary-extractive": "import summarize.grounded.derive as m; m._source_summary = lambda claims: ''",
    "not-a-person": "import summarize.grounded.entities as m; m._person_like = lambda name, article: True; m._is_organization = lambda item, organizations: False",
    "spelled-as-written": "import summarize.grounded.entities as m; m._spelled = lambda d, where, name: name",
    "written-names": "import summarize.grounded.checks as m; m._written = lambda name, text: text.has_words(name)",
    "credible-language": "import summarize.grounded.pipeline as m; m._credible = lambda warning, article: True",
    # runs: sources, the shared per-article step, formats
    "resume-by-identity": "import summarize.runs.outputs as m; m.Outputs.exist = staticmethod(lambda paths: False)",
    "read-twice": "import summarize.runs.step as m; f = m.Step.prepare; m.Step.prepare = lambda self, item: (f(self, item), f(self, item))[1]",
    "html-index": "import summarize.runs.index as m; m.write_index = lambda out, label: None",
    "feed-entry-digest": (
        "import dataclasses, summarize.runs.feeds as m; f = m.FeedEntry.of.__func__; "
        "m.FeedEntry.of = classmethod(lambda cls, p: dataclasses.replace(f(cls, p), digest='same'))"
    ),
    "per-host-limit": "import summarize.reading.read as m; m.HOST_LIMIT = 64",
    "feed-metadata": "import summarize.runs.links as m; f = m.link_item; m.link_item = lambda link, entry, *a: f(link, None, *a)",
    "pdf-text": "import summarize.reading.read as m; m.is_pdf = lambda *a, **k: False",
    # the digest's merge rules (issue 18)
    "digest-aliases": (
        "import summarize.digest.merge as m; "
        "m._names = lambda forms: m._Names(*(lambda k: ({x: x for x in k}, {x: x for x in k}))({m._key(n) for n in forms}))"
    ),
    "digest-date-precision": "import summarize.digest.merge as m; m._agree = lambda a, b: a == b or not a or not b",
    "digest-sources-differ": "import summarize.digest.merge as m; m._differ = lambda variants: False",
    "digest-two-people": "import summarize.digest.stories as m; m.MIN_SHARED_PEOPLE = 1",
    "digest-event-kinds": "import summarize.digest.merge as m; m.action_of = lambda description: 'event'",
    "digest-moves": "import summarize.digest.told as m; m.move_destination = lambda description: None",
    "digest-move-destination": "import summarize.digest.merge as m; m._goes_to = lambda draft, told: True",
    "digest-subject-list": "import summarize.digest.told as m; m.listed = lambda tokens, gap: False",
    "digest-most-shared": "import summarize.digest.merge as m; m._best = lambda same, subject: same[0] if same else None",
    "digest-reported-subject": "import summarize.digest.told as m; m.REPORTING = ()",
    "digest-clause-semicolon": "import summarize.digest.actions as a; a._BREAKS = tuple(b for b in a._BREAKS if ';' not in b[0].pattern)",
    "digest-clause-and": "import summarize.digest.actions as a; a._BREAKS = tuple(b for b in a._BREAKS if 'and' not in b[0].pattern)",
    "digest-clause-sequence": "import summarize.digest.actions as a; a._BREAKS = tuple(b for b in a._BREAKS if 'ing' not in b[0].pattern)",
    "digest-clause-subject": "import summarize.digest.actions as a; a._opens_with_subject = lambda clause, names: True",
    "digest-move-whole": "import summarize.digest.actions as a; a._apart = lambda kinds: None not in kinds",
    "digest-headline-names": (
        "import dataclasses, summarize.digest.merge as m; f = m.read_event; "
        "m.read_event = lambda *a: [dataclasses.replace(t, names_people=False) for t in f(*a)]"
    ),
    "digest-refers-back": (
        "import summarize.digest.told as m; "
        "m._about = lambda tokens, who, where, before: m._subject(tokens, who) or m._subject(tokens, where)"
    ),
    "digest-told-after": "import summarize.digest.merge as m; m._timeline = lambda drafts, follows: [d.event for d in sorted(drafts, key=lambda d: (d.event.date is None, d.event.date or ''))]",
    # issue 19: run history, streaming, the config file, the local model's pins
    "history-results": "import summarize.history.recorder as m; m.Recorder.note_result = lambda self, result: None",
    "stream-never": "import summarize.model.stream as m; m.StreamingTransport._streamed = lambda self, request, watch: None",
    "config-file": "import summarize.config_file as m, pathlib; m.config_path = lambda: pathlib.Path('/nonexistent/config.toml')",
    "local-pins": "import summarize.local.install as m; m.mismatch = lambda path, sha256, size: None",
    # the reader's focus and the short-article rule (prompt v5)
    "focus-prompt": (
        "import summarize.tasks.summary as m; f = m.SummaryTask._reader_rules; "
        "m.SummaryTask._reader_rules = lambda self, p, a: {**f(self, p, a), **({'focus_rule': ''} if 'focus_rule' in p.variables else {})}"
    ),
    "focus-key": "import summarize.tasks.summary as m; m.SummaryTask.options = lambda self: {'target_language': self.settings.target_language, 'length': self.settings.length}",
    "short-article": "import summarize.tasks.summary as m; m.SummaryTask._short = lambda self, article: None",
    # the digest's outputs and the meaning check of its written sentences
    "digest-html-evidence": "import summarize.render.digest_html as m; m._Ids.of = lambda self, article, sentence: f'a0-{sentence}'",
    "digest-verify": "import summarize.digest.text as m; m.verify = lambda pipeline, text, facts, articles, flagged: ([], 0)",
    "html-autoescape": (
        "import jinja2; f = jinja2.Environment.__init__; "
        "jinja2.Environment.__init__ = lambda self, *a, **k: f(self, *a, **{**k, 'autoescape': False})"
    ),
    "html-highlight": (
        "import summarize.render.html as m; f = m._asset.__wrapped__; "
        "m._asset = lambda name: f(name).replace('sentence.classList.add(\"hl\")', 'void 0')"
    ),
    "html-scroll": (
        "import summarize.render.html as m; f = m._asset.__wrapped__; "
        "m._asset = lambda name: f(name).replace('.scrollIntoView(', '.focus(')"
    ),
    "new-rule-families": (
        "import summarize.reading.clean.engine as m; from summarize.reading.clean.text import family; "
        "m.NAVIGATION = m.ACCOUNT = m.PROMO = family()"
    ),
}


def main() -> None:
    names = sys.argv[1:] or list(PATCHES)
    for name in names:
        code = f"{PATCHES[name]}\nimport sys, pytest\nsys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', *{TESTS!r}]))"
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        print(f"{name:<22} {done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]}")


if __name__ == "__main__":
    main()
