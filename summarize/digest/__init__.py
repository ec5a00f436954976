"""Digests across articles: the key facts of many briefs merged, deterministically, with every source cited.

    merge.py     people, organizations, events and amounts of many results merged; where sources differ
    actions.py   what an event is (ousted, left, joined, founded ...), as data

Work in progress towards `summarize digest` (issue 18): the merge is built and tested; stories, the written
digest, its formats and the gold timeline are not yet.
"""
