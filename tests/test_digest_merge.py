"""The digest's event merge rules, on synthetic briefs: moves, people named together, reported events, clauses.

Each test fails when its rule is switched off (scripts/disable_and_test.py, the "digest-..." entries).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize.config import load_settings
from summarize.digest.actions import action_of, clauses
from summarize.digest.merge import MergedEvent, merge
from summarize.schemas import Event, Person, Result
from summarize.summarizer import Summarizer

from .fakes import EXCHANGES, SEEDS


@pytest.fixture(scope="module")
def base() -> Result:
    """One seed's brief, replayed from the shipped answers: the shell each synthetic brief is built in."""
    with Summarizer(load_settings(replay_dir=EXCHANGES, use_cache=False)) as summarizer:
        return summarizer.summarize(sorted(Path(SEEDS).glob("*.txt"))[0])


def with_facts(result: Result, **facts: list[object]) -> Result:
    return result.model_copy(update={"key_facts": result.key_facts.model_copy(update=facts), "evidence": []})


def event(description: str, date: str | None = None) -> Event:
    return Event(date=date, date_text=date, description=description, evidence=[])


PEOPLE = [Person(name=n, role=None, organization=None) for n in
          ("Sam Altman", "Greg Brockman", "Mira Murati", "Bob McGrew", "Barret Zoph", "John Schulman", "Satya Nadella")]  # fmt: skip


def merged(base: Result, *briefs: list[Event]) -> list[MergedEvent]:
    """The timeline of briefs "a", "b", ... each telling the events given (every brief names the same people)."""
    return merge([(chr(97 + n), with_facts(base, people=PEOPLE, events=events)) for n, events in enumerate(briefs)]).events


def told(entries: list[MergedEvent], words: str) -> MergedEvent:
    """The one entry one of whose tellings contains `words`."""
    found = [e for e in entries if any(words in v.value for v in e.descriptions)]
    assert len(found) == 1, [e.descriptions for e in entries]
    return found[0]


def articles(entry: MergedEvent) -> set[str]:
    return {c.article for c in entry.citations}


def test_a_move_told_from_either_side_is_one_event(base: Result) -> None:
    entries = merged(base, [event("John Schulman left OpenAI to join Anthropic.")], [event("Anthropic hired John Schulman.")])
    assert len(entries) == 1 and articles(entries[0]) == {"a", "b"}


def test_a_plain_leaving_and_a_joining_elsewhere_stay_two_events(base: Result) -> None:
    # Joining OpenAI in 2015 is not the move that left it; resigning is not joining Microsoft unless told as one move.
    assert len(merged(base, [event("John Schulman joined OpenAI.", "2015")], [event("John Schulman left OpenAI to join Anthropic.")])) == 2
    assert len(merged(base, [event("Greg Brockman resigned.")], [event("Greg Brockman joined Microsoft.")])) == 2


def test_people_named_together_join_the_entry_they_share_most_of(base: Result) -> None:
    entries = merged(base, [event("Mira Murati left OpenAI."), event("Bob McGrew and Barret Zoph left OpenAI.")],
                     [event("CTO Mira Murati, research director Bob McGrew and vice president Barret Zoph left OpenAI.")])  # fmt: skip
    assert len(entries) == 2
    assert articles(told(entries, "Bob McGrew and Barret Zoph left")) == {"a", "b"}
    assert articles(told(entries, "Mira Murati left OpenAI.")) == {"a"}


def test_a_name_after_a_relative_clause_is_no_subject(base: Result) -> None:
    # "A, replaced by B" is about A: it does not merge with B's ouster.
    entries = merged(base, [event("Mira Murati was ousted.")], [event("Sam Altman, replaced by Mira Murati, was ousted.")])
    assert len(entries) == 2


def test_a_reported_event_is_about_the_people_reported_not_the_speaker(base: Result) -> None:
    entries = merged(base, [event("Satya Nadella announced that Sam Altman and Greg Brockman were joining Microsoft.")],
                     [event("Sam Altman joined Microsoft.")])  # fmt: skip
    assert len(entries) == 1 and articles(entries[0]) == {"a", "b"}
    # With no one named after the verb, the speaker is the subject ("announced that he is leaving").
    assert len(merged(base, [event("John Schulman announced that he is leaving OpenAI.")], [event("John Schulman left OpenAI.")])) == 1


def test_clauses_after_a_semicolon_are_events_of_their_own(base: Result) -> None:
    entries = merged(base, [event("Sam Altman was fired; Greg Brockman resigned in protest.", "2023-11")],
                     [event("The board removed Sam Altman.", "2023-11-17"), event("Greg Brockman quit.")])  # fmt: skip
    ouster, resignation = told(entries, "fired"), told(entries, "resigned")
    assert ouster is not resignation and articles(ouster) == articles(resignation) == {"a", "b"}
    assert ouster.action == "ousted" and not any("Brockman" in v.value for v in ouster.descriptions)
    assert all(c.field == "key_facts.events[0]" for c in ouster.citations if c.article == "a")  # each clause keeps its event's citation


def test_and_before_a_name_that_tells_its_own_event_is_a_clause_boundary(base: Result) -> None:
    entries = merged(base, [event("Sam Altman was fired and Greg Brockman resigned in protest.")], [event("Greg Brockman quit.")])
    assert articles(told(entries, "resigned")) == {"a", "b"} and told(entries, "fired").action == "ousted"
    # No kind of its own after "and": one event ("Rao as CFO" tells nothing on its own).
    assert clauses("Mike Krieger joined Anthropic as head of product and Krishna Rao as CFO.", ("krishna rao",)) == [
        "Mike Krieger joined Anthropic as head of product and Krishna Rao as CFO."]  # fmt: skip


def test_events_told_in_sequence_are_two_each_merging_with_its_own(base: Result) -> None:
    entries = merged(base, [event("Sam Altman went to Microsoft before returning to OpenAI.")],
                     [event("Sam Altman joined Microsoft."), event("Sam Altman returned to OpenAI.")])  # fmt: skip
    assert len(entries) == 2 and all(articles(e) == {"a", "b"} for e in entries)


def test_a_clause_must_open_with_its_subject_to_stand_alone(base: Result) -> None:
    # "his teams ... threatened to leave" is no departure of Murati: it stays part of the ouster.
    entries = merged(base, [event("Sam Altman was nearly ousted; his teams, led by Mira Murati, threatened to leave.")])
    assert [e.action for e in entries] == ["ousted"]


def test_the_two_sides_of_a_move_are_never_split_apart(base: Result) -> None:
    entries = merged(base, [event("John Schulman left OpenAI before joining Anthropic.")], [event("Anthropic hired John Schulman.")])
    assert len(entries) == 1 and articles(entries[0]) == {"a", "b"}


def test_a_clause_naming_no_one_is_about_the_people_named_before_it(base: Result) -> None:
    entries = merged(base, [event("Sam Altman was fired; he went to Microsoft.")], [event("Sam Altman joined Microsoft.")])
    assert articles(told(entries, "went to Microsoft")) == {"a", "b"}


def test_an_entry_is_headlined_by_a_telling_that_names_its_people(base: Result) -> None:
    entries = merged(base, [event("Sam Altman was fired; he went to Microsoft.")], [event("Sam Altman joined Microsoft.")])
    assert told(entries, "went to Microsoft").description == "Sam Altman joined Microsoft."  # not "he went to Microsoft."


@pytest.mark.parametrize(("description", "kind"), [("Altman went to Microsoft.", "joined"), ("Altman moved to Microsoft.", "joined")])
def test_going_or_moving_to_an_organization_is_joining_it(description: str, kind: str) -> None:
    assert action_of(description) == kind


def test_an_undated_clause_follows_the_entry_its_description_told_before_it(base: Result) -> None:
    events = merged(
        base,
        [event("Sam Altman was ousted by the board.", "2023-11-17"), event("Mira Murati left OpenAI.", "2024-09-25")],
        [event("Sam Altman was fired; Greg Brockman resigned in protest.")],
    )
    order = [(e.date, e.told_after is not None, e.action) for e in events]
    assert order == [("2023-11-17", False, "ousted"), (None, True, "left"), ("2024-09-25", False, "left")]
    assert "Brockman" in events[1].description and events[1].told_after == events[0].description
