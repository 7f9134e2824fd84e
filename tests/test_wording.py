"""Words that contradict the case (issue 10): every text a decision shows is checked against
the answers it was given.

A decision shows the pathway's title and summary, every reason (and a flag rule's headline),
each flag's title and summary, the recording category's reason and treatment, the long-term
paragraph and every action. Each phrase rule below says: where a shown text contains this
phrase, the answers must say this. The rules are applied to every case of the shipped library
under both editions, and to random complete situations (a few hundred by default, many more
under `-m slow`). `test_each_rule_can_fail` gives every rule a text and case it must refuse, so
no rule passes only because nothing is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import fuzz
from helpers import case as _case
from sexting_triage.engine import Decision, decide
from sexting_triage.loader import resolve
from sexting_triage.scenarios.load import load_scenarios

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = ("cop-2016", "cop-2024")
AGGRAVATING = ("full-investigation", "standard-investigation")


def case(**changes: Any) -> dict[str, Any]:
    return _case(**{"taken_without_consent": "no", **changes})


@dataclass(frozen=True)
class Shown:
    """One text a decision shows: what kind it is, where it comes from, and the text."""

    kind: str  # title | summary | reason | headline | flag | recording | long_term | action
    source: str  # pathway, rule, flag or category id
    text: str


def shown(d: Decision) -> Iterator[Shown]:
    rs = d.ruleset
    p = rs.pathways[d.pathway]
    yield Shown("title", p.id, p.title)
    yield Shown("summary", p.id, p.summary)
    for r in d.reasons:
        yield Shown("reason", r.rule, r.text)
        if r.headline:
            yield Shown("headline", r.rule, r.headline)
    for f in d.flags:
        flag = rs.flags[f]
        # the title is shown under a rule's headline too (render.terminal.flag_block)
        yield Shown("flag", f, flag.title)
        yield Shown("flag", f, flag.summary)
    if d.recording is not None:
        yield Shown("recording", str(d.recording.category), d.recording.reason)
        if d.recording.treatment:
            yield Shown("recording", str(d.recording.category), d.recording.treatment)
    if d.long_term is not None:
        yield Shown("long_term", p.id, d.long_term[0])
    for a in d.actions:
        yield Shown("action", a.from_, a.text)


# ----------------------------------------------------------------------------- the phrase rules


def _a(d: Decision, fact: str) -> Any:
    return d.answers.get(fact)


def _shared(d: Decision) -> bool:
    return _a(d, "sharing_extent") not in (None, "not_shared")


def _age(d: Decision, fact: str = "youngest_age") -> int:
    v = _a(d, fact)
    return v if isinstance(v, int) else 99


def _all_under_10(d: Decision) -> bool:
    y, o = _a(d, "youngest_age"), _a(d, "oldest_age")
    return isinstance(y, int) and isinstance(o, int) and y < 10 and o < 10


def _reads_an_unknown(d: Decision, s: Shown) -> bool:
    rule = next((r for r in d.ruleset.rules if r.id == s.source), None)
    return rule is not None and any(_a(d, f) == "unknown" for f in rule.reads)


def _suspect_negated(text: str) -> bool:
    """Every 'suspect' in the text is denied: 'not', 'never', 'nothing' or 'no' before it in
    the same sentence."""
    for m in re.finditer(r"suspect", text, re.I):
        sentence = re.split(r"[.!?]\s", text[:m.start()])[-1]
        if not re.search(r"\b(not|never|nothing|no)\b", sentence, re.I):
            return False
    return True


@dataclass(frozen=True)
class Phrase:
    id: str
    pattern: str
    holds: Callable[[Decision, Shown], bool]
    says: str
    kinds: tuple[str, ...] = ()  # empty: every kind of shown text

    def violated(self, d: Decision, s: Shown) -> bool:
        if self.kinds and s.kind not in self.kinds:
            return False
        return re.search(self.pattern, s.text, re.I) is not None and not self.holds(d, s)


REASONS = ("reason", "headline")
OFFER = (r"consider outcome 2[12]|if outcome 21 is used|whether outcome 21 is right|"
         r"outcome 21 is open|outcome 21 may be considered")

PHRASES = (
    Phrase("shared", r"\b(?:was|were|been) shared\b|(?<!obtained or )\bshared (?:the image|it)\b|"
           r"because of the sharing|\bshared or shown\b",
           lambda d, s: _shared(d), "says the image was shared: something was shared"),
    Phrase("widely", r"(?<!not )\bwidely\b|\bpublicly\b",
           lambda d, s: _a(d, "sharing_extent") in ("widely", "public_or_porn_site"),
           "says widely or publicly: the answers say so", kinds=REASONS),
    Phrase("shared-without-agreement",
           r"(?<!whether )(?:was shared|shared or shown|shared the image widely or publicly,)"
           r" without",
           lambda d, s: _a(d, "shared_without_consent") == "yes",
           "says shared without agreement: shared_without_consent is yes"),
    Phrase("under-13", r"\bunder 13\b", lambda d, s: _age(d) < 13,
           "says under 13: the youngest child is under 13"),
    Phrase("all-under-10", r"\bevery child involved is under 10\b",
           lambda d, s: _all_under_10(d), "says every child is under 10: both ages are"),
    Phrase("some-under-10", r"\ba child involved is under 10\b",
           lambda d, s: _age(d) < 10 and not _all_under_10(d),
           "says a child involved is under 10: the youngest is, the oldest is not"),
    Phrase("not-known", r"\bnot (?:yet )?known\b", _reads_an_unknown,
           "a reason saying 'not known' reads a fact answered not known", kinds=REASONS),
    Phrase("outcome-for-under-10s", OFFER,
           lambda d, s: not _all_under_10(d) or "10 or over" in s.text,
           "offers Outcome 21 or 22: not every child involved is under 10"),
    Phrase("suspect", r"suspect", lambda d, s: _suspect_negated(s.text),
           "names 'suspect': only to say a child is not one"),
    Phrase("nothing-aggravates", r"nothing (?:else )?aggravates|no aggravating",
           lambda d, s: not any(d.ruleset.flags[f].urgent for f in d.flags)
           and not any(r.effect in AGGRAVATING for r in d.reasons),
           "says nothing aggravates: no urgent flag and no aggravating reason"),
    Phrase("no-malice", r"no malice|without malice|not malicious",
           lambda d, s: _a(d, "malicious_intent") == "no",
           "says no malice: malicious_intent is no"),
    Phrase("at-immediate-risk", r"\b(?:a|the) child is at immediate risk|"
           r"\bis at immediate risk of harm\b",
           lambda d, s: _a(d, "immediate_risk") == "yes",
           "says a child is at immediate risk: immediate_risk is yes"),
    Phrase("adult", r"\ban adult is\b", lambda d, s: _a(d, "adult_involved") in ("yes", "unknown"),
           "says an adult is (or may be) involved: adult_involved is yes or not known",
           kinds=REASONS),
    Phrase("came-to-attention", r"(?<!whether )a child involved has come to (?:police )?attention",
           lambda d, s: _a(d, "previous_incidents") == "yes",
           "says a child came to attention before: previous_incidents is yes"),
    Phrase("demands", r"\b(?:is|are), or may be, demanding\b",
           lambda d, s: _a(d, "financial_sextortion") in ("yes", "unknown"),
           "says someone is demanding: financial_sextortion is yes or not known"),
    Phrase("digital", r"(?<!whether )the image was made or changed digitally",
           lambda d, s: _a(d, "ai_or_altered") == "yes",
           "says the image was made digitally: ai_or_altered is yes"),
    Phrase("taken", r"(?<!whether )the image was taken, recorded or made without",
           lambda d, s: _a(d, "taken_without_consent") == "yes",
           "says the image was taken without the child's knowledge: taken_without_consent is yes"),
    Phrase("malice", r"(?<!whether )the image was made or used to hurt",
           lambda d, s: _a(d, "malicious_intent") == "yes",
           "says the image was used to hurt: malicious_intent is yes"),
    Phrase("power", r"(?<!whether )the child who asked for, obtained or shared the image held",
           lambda d, s: _a(d, "power_imbalance") == "yes",
           "says a child held power: power_imbalance is yes"),
    Phrase("sexual-acts", r"\bshows, or may show, sexual acts\b",
           lambda d, s: _a(d, "sexual_acts") in ("yes", "unknown"),
           "says the image shows sexual acts: sexual_acts is yes or not known"),
    Phrase("person-involved", r"'person involved'",
           lambda d, s: d.recording is not None and d.recording.category == "non-aggravated",
           "says children are recorded as 'person involved': the category is non-aggravated"),
    Phrase("recorded-repeated", r"recorded as repeated",
           lambda d, s: _a(d, "previous_incidents") == "yes", "repeated: previous_incidents yes"),
    Phrase("recorded-aggravated", r"recorded as aggravated",
           lambda d, s: d.pathway == "full-investigation" or any(
               _a(d, f) == "yes" for f in ("malicious_intent", "taken_without_consent",
                                           "shared_without_consent", "power_imbalance",
                                           "atypical_or_violent")),
           "aggravated: a full investigation or an aggravating factor answered yes"),
)


def violations(d: Decision) -> list[str]:
    out = []
    for s in shown(d):
        for ph in PHRASES:
            if ph.violated(d, s):
                out.append(f"[{ph.id}] {s.kind} {s.source}: {ph.says}: {s.text!r} "
                           f"(answers {d.answers})")
    return out


def structural(d: Decision) -> list[str]:
    """What every decision must show, whatever the wording."""
    out = []
    rs = d.ruleset
    if d.pathway != "out-of-scope":
        if d.long_term is None:
            out.append("an in-scope decision without a long-term paragraph")
        if d.recording is None:
            out.append("an in-scope decision without a recording result")
        elif rs.id == "cop-2024" and d.recording.category not in (
                "aggravated", "repeated", "non-aggravated"):
            out.append(f"recording category {d.recording.category}")
        elif rs.id == "cop-2016" and d.recording.category is not None:
            out.append("the 2016 edition gives a recording category")
    if d.answers.get("immediate_risk") == "unknown":
        if not {"immediate-safeguarding", "professional-judgement"} <= set(d.flags):
            out.append("immediate risk not known without both flags")
        elif not (d.actions and d.actions[0].when == "now"
                  and "whether the child is safe" in d.actions[0].text):
            out.append("immediate risk not known: the first action is not to find out")
    if any(a.when not in ("now", "today", "next") for a in d.actions):
        out.append("an action without a valid when")
    return out


# ----------------------------------------------------------------------------- the checks


@pytest.fixture(scope="module")
def editions():
    return {rid: resolve(rid) for rid in EDITIONS}


def _library_decisions(editions):
    for s in load_scenarios([ROOT / "scenarios"]):
        for rid, rs in editions.items():
            yield s.name, rid, decide(rs, s.answers)


def test_every_library_case_says_nothing_its_answers_contradict(editions):
    problems = []
    n = 0
    for name, rid, d in _library_decisions(editions):
        n += 1
        problems += [f"{name} [{rid}]: {v}" for v in violations(d) + structural(d)]
    assert n >= 70
    assert problems == []


def test_the_phrase_rules_are_exercised_by_the_library(editions):
    # a rule whose phrase never appears in the library proves little: most must be met
    met = set()
    for _, _, d in _library_decisions(editions):
        for s in shown(d):
            for ph in PHRASES:
                if (not ph.kinds or s.kind in ph.kinds) and re.search(ph.pattern, s.text, re.I):
                    met.add(ph.id)
    never = {ph.id for ph in PHRASES} - met
    # phrases kept out of the texts on purpose: present only to catch them coming back
    assert never == {"nothing-aggravates", "no-malice"}


def _situations(rs):
    return st.fixed_dictionaries({q.id: st.sampled_from(q.domain) for q in rs.questions})


@pytest.mark.parametrize("rid", EDITIONS)
def test_random_situations_say_nothing_their_answers_contradict(editions, rid):
    rs = editions[rid]

    @fuzz(300)
    @given(_situations(rs))
    def check(answers):
        d = decide(rs, answers)
        assert violations(d) + structural(d) == []

    check()


@pytest.mark.slow
@pytest.mark.parametrize("rid", EDITIONS)
def test_many_random_situations_say_nothing_their_answers_contradict(editions, rid):
    rs = editions[rid]

    @fuzz(5000)
    @given(_situations(rs))
    def check(answers):
        d = decide(rs, answers)
        assert violations(d) + structural(d) == []

    check()


# (phrase id, answers, kind, source id or None for the rule that fired first, a bad text)
MUST_FAIL = [
    ("shared", {"sharing_extent": "not_shared", "immediate_risk": "yes"}, "reason",
     "immediate-risk", "A child is at immediate risk of harm because of the sharing."),
    ("widely", {}, "reason", "youth-produced-imagery", "The image was posted widely."),
    ("shared-without-agreement", {"shared_without_consent": "no"}, "reason",
     "youth-produced-imagery", "The image was shared without the agreement of the child."),
    ("under-13", {"youngest_age": 15}, "action", "proportionate-response",
     "Consider a referral because a child pictured is under 13."),
    ("all-under-10", {"youngest_age": 8, "oldest_age": 12}, "reason", "under-10-some",
     "Every child involved is under 10."),
    ("some-under-10", {"youngest_age": 11}, "reason", "youth-produced-imagery",
     "A child involved is under 10."),
    ("not-known", {"malicious_intent": "yes"}, "reason", "malicious-intent",
     "It is not known whether there was malicious intent."),
    ("outcome-for-under-10s", {"youngest_age": 8, "oldest_age": 9}, "summary",
     "proportionate-response", "No aggravating factor: consider Outcome 21."),
    ("suspect", {}, "recording", "non-aggravated", "The child pictured is recorded as a suspect."),
    ("nothing-aggravates", {"immediate_risk": "yes"}, "summary", "proportionate-response",
     "Nothing aggravates this case: the image was made and shared willingly."),
    ("no-malice", {"malicious_intent": "unknown"}, "reason", "youth-produced-imagery",
     "Shown to a few people, with no malice found."),
    ("at-immediate-risk", {"immediate_risk": "unknown"}, "headline",
     "immediate-risk-not-yet-known", "A child is at immediate risk: act now"),
    ("adult", {}, "reason", "youth-produced-imagery", "An adult is involved."),
    ("came-to-attention", {}, "recording", "non-aggravated",
     "Recorded as repeated: a child involved has come to police attention before."),
    ("demands", {}, "reason", "youth-produced-imagery", "Someone is, or may be, demanding money."),
    ("digital", {"ai_or_altered": "unknown"}, "reason", "youth-produced-imagery",
     "The image was made or changed digitally."),
    ("taken", {"taken_without_consent": "unknown"}, "reason", "youth-produced-imagery",
     "The image was taken, recorded or made without the child's knowledge."),
    ("malice", {}, "reason", "youth-produced-imagery",
     "The image was made or used to hurt someone."),
    ("power", {"power_imbalance": "unknown"}, "reason", "youth-produced-imagery",
     "The child who asked for, obtained or shared the image held power over them."),
    ("sexual-acts", {}, "reason", "youth-produced-imagery",
     "The image shows, or may show, sexual acts."),
    ("person-involved", {"malicious_intent": "yes"}, "action", "standard-investigation",
     "Record the children as 'person involved'."),
    ("recorded-repeated", {}, "recording", "non-aggravated", "Recorded as repeated."),
    ("recorded-aggravated", {"previous_incidents": "yes"}, "recording", "repeated",
     "Recorded as aggravated."),
]


def test_each_rule_can_fail(editions):
    assert {m[0] for m in MUST_FAIL} == {ph.id for ph in PHRASES}
    rs = editions["cop-2024"]
    by_id = {ph.id: ph for ph in PHRASES}
    for pid, changes, kind, source, text in MUST_FAIL:
        d = decide(rs, case(**changes))
        assert by_id[pid].violated(d, Shown(kind, source, text)), pid
        # and the same phrase rule accepts what the bundled rule set says in this case
        assert not any(by_id[pid].violated(d, s) for s in shown(d)), pid


def test_the_old_wording_would_have_been_refused(editions):
    """The 1.0.0 texts this issue named, put back into today's decisions, are caught."""
    rs = editions["cop-2024"]
    old = {
        "proportionate summary": ("Nothing aggravates this case: the image was made and shared "
                                  "willingly between children.", case(immediate_risk="yes")),
        "immediate-risk reason": ("A child is at immediate risk of harm because of the sharing.",
                                  case(immediate_risk="yes", sharing_extent="not_shared")),
        "2016 limited sharing": ("The image was made or shown without the agreement of the "
                                 "child pictured, to a few people, with no malice found.",
                                 case(sharing_extent="few_others", shared_without_consent="yes",
                                      malicious_intent="unknown")),
    }
    for name, (text, answers) in old.items():
        d = decide(rs, answers)
        caught = [ph.id for ph in PHRASES if ph.violated(d, Shown("reason", "x", text))]
        assert caught, name
