"""Loader errors a policy officer can act on: every problem at once, each at its exact
`path:line:col`, for every kind of mistake the rule-set format can hold."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sexting_triage import loader
from sexting_triage.errors import InputError

MINIMAL = textwrap.dedent("""\
    id: mini
    version: "0.1"
    title: A small rule set
    status: draft
    sources:
      CoP-2016: {title: Briefing note, date: "2016-11-24"}
    questions:
      - id: imagery
        text: Is an image involved?
      - id: age
        type: integer
        min: 0
        max: 17
        text: Youngest age?
      - id: extent
        type: choice
        text: How far shared?
        ask_when: 'imagery == "yes"'
        choices:
          - {id: none, label: Not shared}
          - {id: wide, label: Widely}
    pathways:
      - {id: full, title: Full, summary: Full investigation}
      - {id: light, title: Light, summary: Proportionate}
      - {id: out, title: Out, summary: Out of scope, ends_questionnaire: true}
    precedence: [full, light, out]
    flags:
      - {id: judge, title: Judgement, summary: Officer decides}
    rules:
      - id: no-image
        when: 'imagery == "no"'
        pathway: out
        reason: No image.
        cite: [{source: CoP-2016, section: Scope}]
      - id: base
        when: 'imagery != "no"'
        pathway: light
        reason: In scope.
        cite: [{source: CoP-2016, section: Initial police action}]
      - id: young
        when: 'age < 13 and extent == "wide"'
        pathway: full
        reason: Young and wide.
        cite: [{source: CoP-2016, section: Investigation}]
    """)


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path: Path, text: str) -> list[str]:
    p = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        loader.load_ruleset(p)
    return [str(x).replace(str(p), "F") for x in exc.value.problems]


def test_minimal_loads(tmp_path):
    rs = loader.load_ruleset(write(tmp_path, MINIMAL))
    assert rs.id == "mini" and [q.id for q in rs.questions] == ["imagery", "age", "extent"]
    assert rs.precedence == ("full", "light", "out")
    assert len(rs.sha256) == 64


def test_sha256_is_of_file_bytes(tmp_path):
    import hashlib

    p = write(tmp_path, MINIMAL)
    assert loader.load_ruleset(p).sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_yaml_syntax_error(tmp_path):
    text = MINIMAL.replace("title: A small rule set", "title: [unclosed")
    got = problems(tmp_path, text)
    assert len(got) == 1 and got[0].startswith("F:4:7: ") and "YAML syntax error" in got[0]


def test_duplicate_key(tmp_path):
    text = MINIMAL.replace('version: "0.1"\n', 'version: "0.1"\nversion: "0.2"\n')
    assert problems(tmp_path, text) == ["F:3:1: version: duplicate key `version` (first at line 2)"]


def test_unknown_field(tmp_path):
    text = MINIMAL.replace("    text: Is an image involved?",
                           "    text: Is an image involved?\n    colour: red")
    assert problems(tmp_path, text) == [
        "F:10:5: questions[imagery].colour: unknown field `colour`"]


def test_missing_field(tmp_path):
    text = MINIMAL.replace("    reason: No image.\n", "")
    assert problems(tmp_path, text) == ["F:30:5: rules[no-image]: missing field `reason`"]


def test_wrong_type(tmp_path):
    text = MINIMAL.replace("    min: 0", "    min: zero")
    got = problems(tmp_path, text)
    assert got == [got[0]] and got[0].startswith("F:12:10: questions[age].min: ")
    assert "integer" in got[0]


def test_condition_does_not_parse(tmp_path):
    text = MINIMAL.replace("""when: 'imagery != "no"'""", """when: 'imagery != "no" and'""")
    got = problems(tmp_path, text)
    assert len(got) == 1
    assert got[0] == "F:36:31: rules[base].when: the condition does not parse: it ends unexpectedly"


def test_condition_unknown_fact(tmp_path):
    text = MINIMAL.replace("""when: 'imagery != "no"'""", """when: 'imagry != "no"'""")
    assert problems(tmp_path, text) == [
        "F:36:12: rules[base].when: unknown fact `imagry` (no question has this id)"]


def test_condition_impossible_value(tmp_path):
    text = MINIMAL.replace("""extent == "wide\"""", """extent == "everywhere\"""")
    assert problems(tmp_path, text) == [
        "F:41:35: rules[young].when: `everywhere` is not an answer to `extent` "
        "(answers: none, wide)"]


def test_condition_integer_out_of_range_and_ordering_on_yesno(tmp_path):
    text = MINIMAL.replace("'age < 13 and", "'age == 40 or imagery > 2 or")
    got = problems(tmp_path, text)
    assert got == [
        "F:41:19: rules[young].when: 40 is impossible for `age` (0 to 17)",
        "F:41:25: rules[young].when: `>` compares numbers, but `imagery` is a yesno answer",
    ]


def test_condition_construct_named(tmp_path):
    text = MINIMAL.replace("""when: 'imagery != "no"'""", """when: 'imagery.upper() == "NO"'""")
    got = problems(tmp_path, text)
    assert got == ["F:36:12: rules[base].when: function calls are not allowed in conditions"]


def test_ask_when_reads_later_question(tmp_path):
    text = MINIMAL.replace("""    ask_when: 'imagery == "yes"'""",
                           """    ask_when: 'imagery == "yes"'\n""").replace(
        "  - id: imagery\n    text: Is an image involved?\n",
        "  - id: imagery\n    text: Is an image involved?\n"
        "    ask_when: 'age > 3'\n")
    assert problems(tmp_path, text) == [
        "F:10:16: questions[imagery].ask_when: `age` is not asked before this question: "
        "an ask_when can only read earlier questions"]


def test_citation_of_unknown_source(tmp_path):
    text = MINIMAL.replace("section: Scope}", "section: Scope}, {source: CoP-2099, section: X}")
    assert problems(tmp_path, text) == [
        "F:34:57: rules[no-image].cite[1].source: unknown source `CoP-2099` (sources: CoP-2016)"]


def test_rule_without_citation_does_not_load(tmp_path):
    text = MINIMAL.replace("    cite: [{source: CoP-2016, section: Scope}]\n", "")
    assert problems(tmp_path, text) == ["F:30:5: rules[no-image]: missing field `cite`"]


def test_duplicate_ids(tmp_path):
    text = MINIMAL.replace("  - id: base\n", "  - id: no-image\n")
    assert problems(tmp_path, text) == [
        "F:35:9: rules[no-image].id: duplicate id `no-image` (also rules[0])"]


def test_every_problem_reported_at_once(tmp_path):
    text = (MINIMAL.replace("    min: 0", "    min: zero")
            .replace("""when: 'imagery != "no"'""", """when: 'imagry != "no"'""")
            .replace("section: Scope}", "section: Scope}, {source: Nope, section: X}")
            .replace("title: A small rule set", "title: A small rule set\nsparkle: 1"))
    got = problems(tmp_path, text)
    assert len(got) == 4
    assert [g.split(": ")[0] for g in got] == ["F:4:1", "F:13:10", "F:35:57", "F:37:12"]


def test_precedence_must_list_every_pathway(tmp_path):
    got = problems(tmp_path, MINIMAL.replace("precedence: [full, light, out]",
                                             "precedence: [full, light, lite]"))
    assert "F:26:27: precedence[2]: unknown pathway `lite`" in got
    assert "F:26:13: precedence: pathway `out` is missing from precedence" in got


def test_rule_raises_at_most_one_effect(tmp_path):
    got = problems(tmp_path, MINIMAL.replace("    pathway: out\n",
                                             "    pathway: out\n    flag: judge\n"))
    assert got == ["F:30:5: rules[no-image]: a rule raises one of `pathway` or `flag`, not "
                   "both (a rule with neither is a note)"]


def test_a_rule_with_neither_effect_is_a_note(tmp_path):
    rs = loader.load_ruleset(write(tmp_path, MINIMAL.replace("    pathway: out\n", "", 1)
                                   .replace("precedence: [full, light, out]",
                                            "precedence: [full, light, out]")))
    note = next(r for r in rs.rules if r.id == "no-image")
    assert note.pathway is None and note.flag is None and note.effect == "note"


def test_headline_only_on_flag_rules(tmp_path):
    got = problems(tmp_path, MINIMAL.replace("    pathway: out\n",
                                             "    pathway: out\n    headline: Act now\n"))
    assert got == ["F:33:5: rules[no-image].headline: only a rule that raises a flag can "
                   "have a `headline`"]


def test_choice_and_integer_question_shape(tmp_path):
    got = problems(tmp_path, MINIMAL.replace("    max: 17\n", ""))
    assert got == ["F:10:5: questions[age]: a whole-number question needs `min` and `max`"]


def test_not_a_mapping(tmp_path):
    assert problems(tmp_path, "- just\n- a list\n") == [
        "F:1:1: a rule set is a mapping with id, version, title, status, sources, questions, "
        "pathways, precedence, flags and rules"]


def test_unknown_bundled_id_is_a_usage_error():
    from sexting_triage.errors import UsageError

    with pytest.raises(UsageError, match="no rule set `cop-1999`"):
        loader.resolve("cop-1999")


def test_bundled_sets_load_and_default_is_current():
    ids = [rs.id for rs in loader.bundled_rulesets()]
    assert "cop-2016" in ids
    default = loader.resolve(None)
    assert default.status == "current"


def test_answers_file_problems(tmp_path):
    p = write(tmp_path, "rules: cop-2016\nanswer:\n  imagery: yes\n", "a.yaml")
    with pytest.raises(InputError) as exc:
        loader.load_answers(p)
    got = [str(x).replace(str(p), "F") for x in exc.value.problems]
    assert got == ["F:2:1: answer: unknown field `answer` (expected `answers` and optionally "
                   "`rules`)", "F:1:1: missing field `answers`"]


def test_bundled_rule_set_cache_gives_the_same_rule_set(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = loader.bundled_paths()["cop-2016"]
    first = loader.load_ruleset(path)
    entries = list((tmp_path / "sexting-triage" / "rulesets").glob("*.json"))
    assert len(entries) == 1 and entries[0].name.startswith(first.sha256)
    second = loader.load_ruleset(path)
    assert second == first
    assert [r.id for r in second.rules] == [r.id for r in first.rules]


def test_damaged_cache_entry_falls_back_to_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = loader.bundled_paths()["cop-2016"]
    first = loader.load_ruleset(path)
    (entry,) = (tmp_path / "sexting-triage" / "rulesets").glob("*.json")
    entry.write_text('{"id": "cop-2016"}')
    assert loader.load_ruleset(path) == first


def test_local_rule_files_are_cached_by_content(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, MINIMAL)
    first = loader.load_ruleset(path)
    (entry,) = (tmp_path / "cache" / "sexting-triage" / "rulesets").glob("*.json")
    assert entry.name.startswith(first.sha256)
    assert entry.stat().st_mode & 0o777 == 0o600
    # an edited file is a new key: the cached copy of the old text is never used for it
    path.write_text(MINIMAL.replace("title: A small rule set", "title: Mini edited"),
                    encoding="utf-8")
    second = loader.load_ruleset(path)
    assert second.sha256 != first.sha256 and second.title == "Mini edited"


def test_cache_stays_bounded(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "CACHE_ENTRIES", 3)
    for n in range(5):
        text = MINIMAL.replace("title: A small rule set", f"title: Mini {n}")
        loader.load_ruleset(write(tmp_path, text))
    assert len(list((tmp_path / "cache" / "sexting-triage" / "rulesets").glob("*.json"))) == 3


def test_cache_entry_writable_by_others_is_not_trusted(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = loader.bundled_paths()["cop-2016"]
    first = loader.load_ruleset(path)
    (entry,) = (tmp_path / "sexting-triage" / "rulesets").glob("*.json")
    import json

    data = json.loads(entry.read_text())
    data["rules"][0]["reason"] = "planted"
    entry.write_text(json.dumps(data))
    assert loader.load_ruleset(path).rules[0].reason == "planted"  # the user's own entry
    entry.chmod(0o666)
    assert loader.load_ruleset(path).rules[0].reason == first.rules[0].reason
