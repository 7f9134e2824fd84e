"""scenarios.load: finding files and folders, and exact path:line:col for every kind of invalid
file, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenario_files import ROOT, line_of, problems_of, scenario_text, write
from sexting_triage.errors import InputError
from sexting_triage.scenarios.load import load_scenarios


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
    text = scenario_text("  cop-2016:\n    pathway: [x]\n")
    q = write(tmp_path, "k.yaml", text)
    (msg,) = problems_of([q])
    assert msg.startswith(f"{q}:{line_of(text, 'pathway: [x]')}:14: expect.cop-2016.pathway: ")
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


def test_load_yaml_many_gives_exactly_what_load_yaml_gives(tmp_path):
    from sexting_triage.scenarios.load import find_files
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
