"""Scenario model, loader and pure check: formats, exact path:line:col for every kind of
invalid file, failure sentences that name the rule making the difference, save round trip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import CLEAN_2016
from sexting_triage import engine, loader
from sexting_triage.errors import InputError
from sexting_triage.scenario import (
    check_scenario,
    coverage,
    explain_choice,
    int_classes,
    load_scenarios,
    reachable_targets,
    save_scenario,
)

ROOT = Path(__file__).resolve().parents[1]

BASE = dict(CLEAN_2016)


def answers_yaml(**changes: object) -> str:
    a = dict(BASE)
    for k, v in changes.items():
        if v is None:
            a.pop(k)
        else:
            a[k] = v
    return "".join(f"  {k}: {v if isinstance(v, int) else repr(v)}\n" for k, v in a.items())


def scenario_text(expect: str, title: str = "A case", rules: str | None = "cop-2016",
                  **changes: object) -> str:
    head = f"rules: {rules}\n" if rules else ""
    return (f"title: {title}\nstory: Two 15-year-olds swap images.\n{head}"
            f"answers:\n{answers_yaml(**changes)}expect:\n{expect}")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_scenarios(paths)
    return [str(p) for p in exc.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ----------------------------------------------------------------------------- loading


def test_single_and_list_files_and_folders_are_found_recursively(tmp_path):
    write(tmp_path, "a.yaml", scenario_text("  pathway: proportionate-response\n"))
    write(tmp_path, "sub/deeper/b.yml", "scenarios:\n" + "\n".join(
        "  - " + scenario_text("  cop-2016: {pathway: proportionate-response}\n",
                               title=f"Case {n}").replace("\n", "\n    ").rstrip()
        for n in (1, 2)) + "\n")
    write(tmp_path, "notes.txt", "not a scenario")
    write(tmp_path, ".hidden/c.yaml", "not: [valid")
    found = load_scenarios([tmp_path])
    assert [s.name for s in found] == [str(tmp_path / "a.yaml"),
                                       str(tmp_path / "sub/deeper/b.yml") + "#1",
                                       str(tmp_path / "sub/deeper/b.yml") + "#2"]
    assert found[0].expect[0].key is None
    assert found[1].expect[0].key == "cop-2016" and found[2].title == "Case 2"


def test_yaml_syntax_error_is_located(tmp_path):
    p = write(tmp_path, "bad.yaml", "title: x\nstory: [unclosed\nanswers: {}\n")
    (msg,) = problems_of([p])
    assert msg.startswith(f"{p}:3:") and "YAML syntax error" in msg


def test_unknown_field_points_at_the_key(tmp_path):
    text = scenario_text("  pathway: proportionate-response\n") + "colour: red\n"
    p = write(tmp_path, "s.yaml", text)
    assert problems_of([p]) == [f"{p}:{line_of(text, 'colour')}:1: colour: unknown field "
                                "`colour`"]


def test_invalid_answer_value_points_at_the_value(tmp_path):
    text = scenario_text("  pathway: proportionate-response\n", sharing_extent="wide",
                         youngest_age=19)
    p = write(tmp_path, "s.yaml", text)
    msgs = problems_of([p])
    assert msgs == [
        f"{p}:{line_of(text, 'youngest_age')}:17: answers.youngest_age: 19 is outside 0 to 17 "
        "(got 19; rule set cop-2016)",
        f"{p}:{line_of(text, 'sharing_extent')}:19: answers.sharing_extent: expected one of "
        "not_shared, intended_recipient, few_others, widely, public_or_porn_site "
        "(got 'wide'; rule set cop-2016)",
    ]


def test_unknown_pathway_flag_and_rule_ids_in_expect(tmp_path):
    expect = ("  cop-2016:\n    pathway: full-investigaton\n"
              "    flags: [professional-judgement, urgent]\n"
              "    reasons_exclude:\n      - no-such-rule\n")
    text = scenario_text(expect)
    p = write(tmp_path, "s.yaml", text)
    n = line_of(text, "pathway: full")
    assert problems_of([p]) == [
        f"{p}:{n}:14: expect.cop-2016.pathway: unknown pathway `full-investigaton` in "
        "cop-2016 (pathways: full-investigation, standard-investigation, "
        "proportionate-response, out-of-scope)",
        f"{p}:{n + 1}:37: expect.cop-2016.flags[1]: unknown flag `urgent` in cop-2016 "
        "(flags: immediate-safeguarding, professional-judgement)",
        f"{p}:{n + 3}:9: expect.cop-2016.reasons_exclude[0]: unknown rule `no-such-rule` in "
        "cop-2016",
    ]


def test_note_for_an_unknown_question_and_unknown_edition_are_errors(tmp_path):
    text = scenario_text("  cop-1999: {pathway: proportionate-response}\n") + \
        "notes:\n  imagery: fine\n  immediate_danger: typo\n"
    p = write(tmp_path, "s.yaml", text)
    msgs = problems_of([p])
    assert f"{p}:{line_of(text, 'cop-1999')}:3: expect.cop-1999: no rule set with id " \
           "`cop-1999`" in msgs[0]
    assert msgs[1] == (f"{p}:{line_of(text, 'immediate_danger')}:3: notes.immediate_danger: "
                       "no question `immediate_danger` in cop-2016: notes are keyed by "
                       "question id")
    text = scenario_text("  pathway: proportionate-response\n") + \
        "notes:\n  imagery: fine\n  immediate_danger: typo\n"
    p.write_text(text)
    assert problems_of([p]) == [f"{p}:{line_of(text, 'immediate_danger')}:3: "
                                "notes.immediate_danger: no question `immediate_danger` in "
                                "cop-2016: notes are keyed by question id"]


def test_missing_fields_empty_expect_and_bad_list(tmp_path):
    p = write(tmp_path, "s.yaml", "title: x\nanswers: {imagery: 'no'}\nexpect: {}\n")
    msgs = problems_of([p])
    assert f"{p}:1:1: missing field `story`" in msgs
    assert f"{p}:3:9: expect: an expectation needs at least one of: pathway, flags, " \
           "flags_include, reasons_include, reasons_exclude" in msgs
    q = write(tmp_path, "k.yaml", scenario_text("  cop-2016:\n    pathway: [x]\n"))
    (msg,) = problems_of([q])
    assert msg.startswith(f"{q}:22:14: expect.cop-2016.pathway: ")
    q = write(tmp_path, "l.yaml", "scenarios: []\n")
    assert problems_of([q]) == [f"{q}:1:12: scenarios: `scenarios` must be a list of one or "
                                "more scenarios"]


def test_every_problem_in_every_file_is_reported_at_once(tmp_path):
    write(tmp_path, "a.yaml", scenario_text("  pathway: nope\n"))
    write(tmp_path, "b.yaml", scenario_text("  pathway: proportionate-response\n",
                                            coercion="maybe"))
    msgs = problems_of([tmp_path])
    assert [Path(m.split(":")[0]).name for m in msgs] == ["a.yaml", "b.yaml"]


def test_missing_path_and_empty_folder(tmp_path):
    assert problems_of([tmp_path / "nope"]) == [f"{tmp_path / 'nope'}: no such file or folder"]
    (tmp_path / "empty").mkdir()
    assert "no scenario files" in problems_of([tmp_path / "empty"])[0]


# ----------------------------------------------------------------------------- checking


def one(tmp_path: Path, text: str):
    (s,) = load_scenarios([write(tmp_path, "s.yaml", text)])
    return s


def test_passing_scenario(tmp_path, cop2016):
    s = one(tmp_path, scenario_text(
        "  pathway: proportionate-response\n  flags: []\n"
        "  reasons_include: [youth-produced-imagery]\n  reasons_exclude: [young-child]\n"))
    r = check_scenario(s, cop2016)
    assert (r.status, r.passed, r.failures, r.warnings) == ("passed", True, (), ())
    assert r.decision is not None and r.decision.pathway == "proportionate-response"


def test_wrong_pathway_names_the_rule_that_outranks(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", coercion="yes"))
    r = check_scenario(s, cop2016)
    assert r.status == "failed" and not r.passed
    (f,) = r.failures
    assert f.startswith("expected pathway proportionate-response, got full-investigation: "
                        "rule `coercion` fired (coercion in [\"yes\", \"unknown\"]; here: "
                        "coercion = yes)")
    assert f.endswith("full-investigation outranks proportionate-response")


def test_expected_higher_pathway_names_the_nearest_rules(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: standard-investigation\n",
                                    sharing_extent="widely", shared_without_consent="no"))
    (f,) = check_scenario(s, cop2016).failures
    assert f.startswith("expected pathway standard-investigation, got proportionate-response:"
                        " none of the 3 rules raising standard-investigation fired; nearest: "
                        "rule `shared-widely-by-others` needs")
    assert "shared_without_consent = no" in f


def test_missing_and_unexpected_flags(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  flags: [immediate-safeguarding]\n",
                                    malicious_intent="unknown"))
    f1, f2 = check_scenario(s, cop2016).failures
    assert f1 == ("expected flag immediate-safeguarding, not raised: the only rule raising "
                  "immediate-safeguarding did not fire: rule `immediate-risk` needs "
                  "immediate_risk == \"yes\" (here: immediate_risk = no)")
    assert f2 == ("flag professional-judgement was raised but not expected: rule "
                  "`malicious-intent-unknown` fired (malicious_intent == \"unknown\"; here: "
                  "malicious_intent = unknown)")
    s = one(tmp_path, scenario_text("  flags_include: [professional-judgement]\n",
                                    malicious_intent="unknown", immediate_risk="yes"))
    assert check_scenario(s, cop2016).passed


def test_reasons_include_and_exclude(tmp_path, cop2016):
    s = one(tmp_path, scenario_text(
        "  reasons_include: [young-child]\n  reasons_exclude: [youth-produced-imagery]\n"))
    f1, f2 = check_scenario(s, cop2016).failures
    assert f1 == ("expected rule young-child to fire; it did not: rule `young-child` needs "
                  "youngest_age < 13 (here: youngest_age = 15)")
    assert f2.startswith("expected rule youth-produced-imagery not to fire; rule "
                         "`youth-produced-imagery` fired")


def test_ignored_answers_warn_and_fail_when_strict(tmp_path, cop2016):
    text = scenario_text("  pathway: proportionate-response\n", atypical_or_violent="no")
    s = one(tmp_path, text)
    r = check_scenario(s, cop2016)
    assert r.passed
    n = line_of(text, "atypical_or_violent")
    assert r.warnings == (f"{s.path}:{n}:24: answer ignored: cop-2016 does not ask "
                          "`atypical_or_violent` with these answers",)
    strict = check_scenario(s, cop2016, strict=True)
    assert strict.status == "failed" and strict.failures == r.warnings
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", power_imbalance="no"))
    assert "cop-2016 has no question `power_imbalance`" in check_scenario(s, cop2016).warnings[0]


def test_incomplete_answers_fail_with_the_missing_questions(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", coercion=None))
    r = check_scenario(s, cop2016)
    assert r.status == "failed" and r.decision is None
    assert r.failures == ("the answers are incomplete for cop-2016: it asks coercion, which "
                          "the scenario does not answer",)


def other_edition(tmp_path: Path, new_id: str) -> Path:
    src = loader.bundled_paths()["cop-2016"].read_text(encoding="utf-8")
    p = tmp_path / f"{new_id}.yaml"
    p.write_text(src.replace("id: cop-2016", f"id: {new_id}", 1), encoding="utf-8")
    return p


def test_keyed_expect_without_a_block_is_not_checked(tmp_path, cop2016):
    draft = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    s = one(tmp_path, scenario_text("  cop-2016: {pathway: full-investigation}\n"))
    r = check_scenario(s, draft)
    assert (r.status, r.passed, r.checked, r.failures) == ("not-checked", False, False, ())
    assert r.decision is not None  # still decided, for impact reports
    assert check_scenario(s, cop2016).status == "failed"


def test_unkeyed_expect_applies_to_whichever_rule_set_is_checked(tmp_path):
    draft = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n"))
    assert check_scenario(s, draft).passed


def test_invalid_answer_for_another_rule_set_raises_located(tmp_path):
    p = other_edition(tmp_path, "draft-2030")
    p.write_text(p.read_text().replace("max: 17", "max: 14"))
    draft = loader.load_ruleset(p)
    text = scenario_text("  pathway: proportionate-response\n")
    s = one(tmp_path, text)
    with pytest.raises(InputError) as exc:
        check_scenario(s, draft)
    assert [str(x) for x in exc.value.problems] == [
        f"{s.path}:{line_of(text, 'youngest_age')}:17: answers.youngest_age: 15 is outside "
        "0 to 14 (got 15; rule set draft-2030)"]


def test_explain_choice_for_a_quiz(cop2016):
    d = engine.decide(cop2016, {**BASE, "coercion": "yes"})
    lines = explain_choice(d, "proportionate-response", ["immediate-safeguarding"])
    assert lines[0].startswith("you chose proportionate-response; the rules give "
                               "full-investigation: rule `coercion` fired")
    assert lines[1].startswith("you chose flag immediate-safeguarding, but the rules do not "
                               "raise it: ")
    assert explain_choice(d, "full-investigation", []) == []


# ----------------------------------------------------------------------------- saving


def test_save_scenario_round_trip(tmp_path, cop2016):
    d = engine.decide(cop2016, {**BASE, "malicious_intent": "unknown", "youngest_age": 12})
    target = tmp_path / "saved.yaml"
    save_scenario(target, d, title="Played \x1b[31monce")
    assert os.listdir(tmp_path) == ["saved.yaml"]  # no temporary file left behind
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["title"] == "Played once"  # escape sequences never reach the file
    assert "Edit this story" in data["story"] and "rules" not in data
    assert data["expect"] == {"cop-2016": {
        "pathway": "proportionate-response", "flags": ["professional-judgement"],
        "reasons_include": ["youth-produced-imagery", "young-child",
                            "malicious-intent-unknown"]}}
    assert data["answers"]["youngest_age"] == 12 and data["answers"]["imagery"] == "yes"
    (s,) = load_scenarios([target])
    assert check_scenario(s, cop2016).passed


def test_save_scenario_for_a_rule_file_names_it(tmp_path):
    rs = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    d = engine.decide(rs, {"imagery": "no"})
    save_scenario(tmp_path / "s.yaml", d)
    data = yaml.safe_load((tmp_path / "s.yaml").read_text())
    assert data["rules"] == "draft-2030.yaml"  # relative to the scenario: moves with it
    assert data["title"] == "Untitled case (edit this title)"
    (s,) = load_scenarios([tmp_path / "s.yaml"])
    assert s.editions() == ["draft-2030.yaml"]
    assert check_scenario(s, rs).passed


# ----------------------------------------------------------------------------- coverage


def test_integer_answers_are_grouped_by_the_thresholds_conditions_use(cop2016):
    assert int_classes(cop2016, "youngest_age") == [(0, 12), (13, 17)]


def test_coverage_counts_and_missing(cop2016):
    d1 = engine.decide(cop2016, BASE)
    d2 = engine.decide(cop2016, {"imagery": "no"})
    c = coverage(cop2016, [d1, d2])
    assert c.pathways == {"proportionate-response": 1, "out-of-scope": 1}
    miss = c.missing()
    assert "full-investigation" in miss["pathways"] and "no-imagery" not in miss["rules"]
    assert "youngest_age=0-12" in miss["values"] and "youngest_age=13-17" not in miss["values"]
    assert "atypical_or_violent" in miss["questions"]
    assert c.counts()["pathways"] == (2, 4)


def test_reachable_targets_come_from_the_exact_analysis(cop2016):
    t = reachable_targets(cop2016)
    assert t.rules == tuple(r.id for r in cop2016.rules)
    assert t.pathways == cop2016.precedence
    assert t.questions == tuple(q.id for q in cop2016.questions)
    assert t.values["youngest_age"] == ("0-12", "13-17")
    assert t.values["sharing_extent"][0] == "not_shared"


# ----------------------------------------------------------------------------- fast reading


def test_load_yaml_many_gives_exactly_what_load_yaml_gives(tmp_path):
    from sexting_triage.scenario import find_files
    from sexting_triage.yamlio import load_yaml, load_yaml_many

    for f in find_files([ROOT / "scenarios"]):
        a, b = load_yaml(f), load_yaml_many(f)
        assert (a.data, a.values, a.keys, a.styles) == (b.data, b.values, b.keys, b.styles), f
    bad = {
        "alias.yaml": "a: &x [1]\nb: *x\n",
        "syntax.yaml": "title: x\nstory: [unclosed\n",
        "dup.yaml": "title: x\ntitle: y\n",
        "deep.yaml": "a: " + "[" * 80 + "]" * 80 + "\n",
        "tag.yaml": "a: !!python/object/apply:os.system [ls]\n",
        "tab.yaml": "a:\n\tb: 1\n",
        "two.yaml": "a: 1\n---\nb: 2\n",
    }
    for name, text in bad.items():
        p = write(tmp_path, name, text)
        with pytest.raises(InputError) as slow:
            load_yaml(p)
        with pytest.raises(InputError) as fast:
            load_yaml_many(p)
        assert str(fast.value) == str(slow.value), name


def test_list_file_problems_are_located_per_item(tmp_path):
    text = ("scenarios:\n  - title: One\n    story: x\n    answers: {imagery: 'no'}\n"
            "    expect: {pathway: out-of-scope}\n  - title: Two\n    story: x\n"
            "    answers: {imagery: 'maybe'}\n    expect: {pathway: out-of-scope}\n"
            "rules: cop-2016\n")
    p = write(tmp_path, "l.yaml", text)
    assert problems_of([p]) == [f"{p}:10:1: rules: unknown field `rules` (a file with "
                                "`scenarios:` holds only that list)"]
    p.write_text(text.replace("rules: cop-2016\n", ""))
    (msg,) = problems_of([p])
    assert msg.startswith(f"{p}:8:24: scenarios[1].answers.imagery: expected yes, no or "
                          "unknown (got 'maybe'; rule set ")


def test_answers_for_another_edition_of_the_scenario_are_not_warned_about(tmp_path, cop2016):
    if "cop-2024" not in loader.bundled_paths():
        pytest.skip("needs a second bundled edition")
    cop2024 = loader.resolve("cop-2024")
    extra = sorted(set(cop2024.question_index) - set(cop2016.question_index))
    assert extra
    answers = {q: "no" for q in extra if cop2024.question(q).type == "yesno"}
    text = scenario_text("  cop-2016: {pathway: proportionate-response}\n"
                         "  cop-2024: {pathway: proportionate-response}\n", rules=None,
                         **answers)
    s = one(tmp_path, text)
    assert s.edition_questions >= set(extra)
    r = check_scenario(s, cop2016, strict=True)
    assert r.passed and r.warnings == ()
    single = one(tmp_path, scenario_text("  cop-2016: {pathway: proportionate-response}\n",
                                         rules=None, **answers))
    assert check_scenario(single, cop2016).warnings  # written for 2016 only: a mistake


def test_a_file_given_twice_is_read_once(tmp_path):
    p = write(tmp_path, "a.yaml", scenario_text("  pathway: proportionate-response\n"))
    assert len(load_scenarios([p, tmp_path, Path(str(tmp_path) + "/./a.yaml")])) == 1


def test_a_named_rule_file_that_is_missing_or_invalid_is_located(tmp_path):
    text = scenario_text("  pathway: out-of-scope\n", rules="../nowhere.yaml")
    p = write(tmp_path, "s.yaml", text)
    assert problems_of([p]) == [f"{p}:3:8: rules: ../nowhere.yaml: no such rule set"]
    bad = write(tmp_path, "bad.yaml", "id: x\n")
    p.write_text(scenario_text("  pathway: out-of-scope\n", rules="bad.yaml"))
    msgs = problems_of([p])
    assert msgs[-1] == f"{p}:3:8: rules: the rule set bad.yaml is invalid"
    assert all(m.startswith(str(bad)) for m in msgs[:-1]) and len(msgs) > 1


# ----------------------------------------------------------------------------- properties


@st.composite
def complete_answers(draw, rs):
    """A value for every question (engine.decide ignores those not asked)."""
    return {q.id: draw(st.sampled_from(q.domain)) for q in rs.questions}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_saved_scenarios_always_load_and_pass(data, tmp_path_factory, cop2016):
    answers = data.draw(complete_answers(cop2016))
    d = engine.decide(cop2016, answers)
    folder = tmp_path_factory.mktemp("saved")
    save_scenario(folder / "case.yaml", d, title="Generated")
    (s,) = load_scenarios([folder / "case.yaml"])
    r = check_scenario(s, cop2016, strict=True)
    assert r.passed, r.failures
    assert r.decision.pathway == d.pathway and r.decision.fired == d.fired


def test_every_fired_rule_appears_at_exactly_one_walkthrough_step(cop2016):
    from sexting_triage.scenario import fired_at

    for s in load_scenarios([ROOT / "scenarios"]):
        d = check_scenario(s, cop2016).decision
        at = fired_at(d)
        shown = [r.rule for reasons in at.values() for r in reasons]
        assert sorted(shown) == sorted(d.fired), s.name
        by_id = {r.id: r for r in cop2016.rules}
        for qid, reasons in at.items():
            for reason in reasons:  # shown at the last question it reads that was asked
                read = [q for q in d.asked if q in by_id[reason.rule].reads]
                assert read[-1] == qid, (s.name, reason.rule)


def test_folders_linked_in_are_searched_once(tmp_path):
    write(tmp_path, "lib/a.yaml", scenario_text("  pathway: proportionate-response\n"))
    (tmp_path / "lib" / "shared").symlink_to(tmp_path / "elsewhere")
    write(tmp_path, "elsewhere/b.yaml", scenario_text("  pathway: proportionate-response\n"))
    (tmp_path / "elsewhere" / "loop").symlink_to(tmp_path / "lib")
    names = [Path(s.path).name for s in load_scenarios([tmp_path / "lib"])]
    assert names == ["a.yaml", "b.yaml"]


def test_rule_sets_and_answers_files_are_recognised(tmp_path):
    rules = ROOT / "rules" / "cop-2016.yaml"
    (msg,) = problems_of([rules])
    assert msg.startswith(f"{rules}:") and msg.endswith(
        ": this is a rule set, not a scenario file: give it with --rules")
    p = write(tmp_path, "answers.yaml", "rules: cop-2016\nanswers:\n  imagery: 'no'\n")
    assert problems_of([p]) == [f"{p}:1:1: this is an answers file (for `run`), not a "
                                "scenario: add `title`, `story` and `expect`"]


SHIPPED = (ROOT / "scenarios" / "unknown-answers" / "early-reports.yaml").read_text()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(SHIPPED)), junk=st.text(max_size=12),
       where=st.integers(0, len(SHIPPED)))
def test_damaged_scenario_files_give_located_problems_never_a_crash(tmp_path_factory, cut,
                                                                     junk, where):
    text = SHIPPED[:where] + junk + SHIPPED[where:cut] if where < cut else SHIPPED[:cut] + junk
    folder = tmp_path_factory.mktemp("fuzz")
    p = folder / "s.yaml"
    p.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        scenarios = load_scenarios([p])
    except InputError as exc:
        assert exc.problems and all(str(x).startswith(str(p)) for x in exc.problems)
        return
    cop = loader.resolve("cop-2016")
    for s in scenarios:
        try:
            check_scenario(s, cop)
        except InputError as exc:
            assert all(str(x).startswith(str(p)) for x in exc.problems)
