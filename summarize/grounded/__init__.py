"""Grounded by construction: the model cites numbered sentences; the pipeline derives the verbatim fields and checks
each claim against its own cited sentences (and, optionally, with a verifier model).

    schema    what the model writes (CitedSummary) and what a verifier answers (Verdict)
    derive    a cited answer -> the result's Summary, evidence and repairs (dropped items, corrected values)
    checks    grounding of each claim in its cited sentences; example leaks
    verify    (claim, cited sentences) pairs sent to a verifier, verdicts turned into warnings
"""
