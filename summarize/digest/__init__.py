"""Digests across articles: the key facts of many briefs merged, deterministically, with every source cited.

    collect.py   the briefs: from the pipeline and its cache, or an earlier batch's index.jsonl
    merge.py     people, organizations, events and amounts of many results merged; where sources differ
    actions.py   what an event is (ousted, left, joined, founded ...), as data
    stories.py   articles grouped into stories by shared events or people, with the reason (`--explain`)
    text.py      the written digest of a story: one request from its merged facts, checked (and verified)
    told.py      what one event description tells: its clauses, their kind, subject and destination
    model.py     the `Digest` every format renders (summarize.render.digest, .digest_html)
    build.py     `build`: collect -> merge -> stories -> per story merge (and text) -> a Digest

    from summarize import Summarizer, build_digest
    with Summarizer() as s:
        digest = build_digest(s, ["seeds"])   # a Digest: stories, each with its merged, cited timeline
"""
