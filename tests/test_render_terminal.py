"""The result screen: an urgent flag's panel and actions first, then the pathway, the
checklists by when each action is due, every reason once with its citation, recording and
long-term impact, and the provenance last; no action twice; 80 columns with nothing cut."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import case
from sexting_triage import engine, loader
from sexting_triage.render import terminal

ROOT = Path(__file__).resolve().parents[1]
RISK = case(immediate_risk="yes", sharing_extent="widely", shared_without_consent="yes")


def screen(d: engine.Decision, width: int = 80) -> str:
    buf = io.StringIO()
    con = terminal.console(file=buf, no_color=True, width=width)
    con.soft_wrap = False  # as on a terminal: wrapped at the width
    terminal.decision(con, d)
    return buf.getvalue()


@pytest.fixture(scope="module", params=["cop-2016", "cop-2024"])
def rs(request):
    return loader.resolve(request.param)


def decide(rs, answers):
    return engine.decide(rs, {k: v for k, v in answers.items() if k in rs.question_index})


def flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_urgent_panel_and_its_actions_come_before_the_pathway(rs):
    d = decide(rs, RISK)
    out = screen(d)
    assert out.lstrip().startswith("URGENT:")
    urgent = [a.text for a in d.actions if a.from_ in ("immediate-safeguarding",) or
              a.from_ in {r.rule for r in d.reasons if r.effect == "immediate-safeguarding"}]
    assert urgent
    start = out.index("RECOMMENDED PATHWAY")
    for a in urgent:
        assert flat(a) in flat(out[:start])


def test_no_action_is_listed_twice_and_every_action_is_listed(rs):
    d = decide(rs, RISK)
    out = flat(screen(d))
    for a in d.actions:
        assert out.count(flat(a.text)) == 1, a.text


def test_order_of_the_sections(rs):
    out = flat(screen(decide(rs, case(sharing_extent="few_others",
                                      shared_without_consent="yes"))))
    marks = ["RECOMMENDED PATHWAY", "REASONS", "Rule set:", "Rule-set sha256:", "Tool:",
             "officer judgement, supervision and force policy come first"]
    where = [out.index(flat(m)) for m in marks]
    assert where == sorted(where)
    bands = [out.index(flat(h)) for h in ("DO NOW", "BEFORE THE END OF THE SHIFT", "NEXT")
             if flat(h) in out]
    assert bands and bands == sorted(bands)
    assert max(bands) < out.index("REASONS")


def test_each_reason_once_with_its_citations(rs):
    d = decide(rs, RISK)
    out = flat(screen(d))
    for r in d.reasons:
        assert out.count(flat(r.text)) == 1
        for c in r.cite:
            assert flat(f"Source: {c.source}, {c.section}") in out
    assert flat("Supports the pathway:") in out and flat("Raises a flag:") in out


def test_recording_and_long_term_are_shown_when_the_decision_has_them(rs):
    d = decide(rs, case())
    rec = engine.RecordingResult("non-aggravated", "Non-aggravated", "Willingly shared.",
                                 "Every child is recorded as a person involved.", (), True)
    d = replace(d, recording=rec, long_term=("Outcome 21 makes disclosure unlikely.", ()))
    out = screen(d)
    assert "RECORDING" in out and "Category: Non-aggravated (provisional" in out
    assert "How each child is treated: Every child is recorded as a person involved." in out
    assert out.index("RECORDING") < out.index("WHAT THIS MEANS LATER") < out.index("Rule set:")
    none = replace(d, recording=engine.RecordingResult(None, None, "This edition predates "
                                                       "the categories.", None, (), False))
    assert "This edition predates the categories." in screen(none)


def test_fits_80_columns_and_nothing_is_cut(tmp_path):
    long_word = "x" * 120
    text = (ROOT / "rules" / "cop-2016.yaml").read_text(encoding="utf-8")
    text = text.replace('title: "A child is, or may be, at immediate risk: act now"',
                        f'title: "A child is, or may be, at immediate risk: act now {long_word}"')
    text = re.sub(r"^title: .*$", "title: \"" + "A very long rule-set title " * 10 + "\"",
                  text, count=1, flags=re.M)
    p = tmp_path / "long.yaml"
    p.write_text(text, encoding="utf-8")
    rs = loader.load_ruleset(p)
    d = decide(rs, RISK)
    out = screen(d, 80)
    assert max(len(line) for line in out.splitlines()) <= 80
    body = flat(out)
    assert long_word in body  # folded over lines, never cut
    assert flat(rs.title) in body
    for a in d.actions:
        assert flat(a.text) in body
    for r in d.reasons:
        assert flat(r.text) in body
    assert rs.sha256 in body


def test_why_asked_is_plain_words_with_citations(rs):
    buf = io.StringIO()
    con = terminal.console(file=buf, no_color=True, width=80)
    for q in rs.questions:
        buf.seek(0)
        buf.truncate()
        terminal.why_asked(con, rs, q.id)
        out = buf.getvalue()
        assert "==" not in out and "!=" not in out and " in [" not in out
        ids = {r.id for r in rs.rules} | {x.id for x in rs.questions} | set(rs.flags)
        ids = {i for i in ids if "_" in i or "-" in i}  # not plain words such as "imagery"
        words = set(re.findall(r"[a-z0-9_-]+", out))
        assert not (ids & words), ids & words
        if any(q.id in r.reads for r in rs.rules):
            assert "Source: " in out


def test_why_asked_names_the_earlier_question_not_a_condition(rs):
    buf = io.StringIO()
    terminal.why_asked(terminal.console(file=buf, no_color=True), rs, "atypical_or_violent")
    assert rs.question("sexual_acts").text in buf.getvalue()
