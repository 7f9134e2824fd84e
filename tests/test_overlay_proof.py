"""The add-only proof of a force overlay (issue 15): exact over every situation, with a
counterexample for each way an overlay (or any edited copy of a rule set) could weaken the
national guidance; the change note; re-basing onto a new edition."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from sexting_triage import overlay as O
from sexting_triage.engine import decide, walk
from sexting_triage.errors import UsageError
from sexting_triage.loader import load_ruleset, resolve
from sexting_triage.render.overlayout import change_note, proof_text, rebase_text

SHIPPED = ROOT / "examples" / "overlays" / "example-force.yaml"


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The shipped example, pinned to the bundled cop-2024 as it is now (the national file
    may be edited while the example's own pin waits to be re-proved; that pin is checked by
    test_example_is_pinned_to_the_bundled_edition)."""
    p = tmp_path_factory.mktemp("example") / "example-force.yaml"
    p.write_bytes(SHIPPED.read_bytes())
    p.write_bytes(O.write_pin(O.load_overlay(p), resolve("cop-2024")))
    return p

C = [{"source": "SRC", "section": "S"}]

# A small national edition: scope, an urgent flag, a judgement flag, three in-scope pathways.
SMALL = {
    "id": "small", "version": "1.0", "title": "Small", "status": "current",
    "sources": {"SRC": {"title": "Source", "date": "2020"}},
    "questions": [
        {"id": "imagery", "text": "Image?"},
        {"id": "age", "type": "integer", "min": 8, "max": 17, "text": "Age?"},
        {"id": "risk", "text": "Risk?"},
        {"id": "adult", "text": "Adult?"},
        {"id": "extent", "type": "choice", "text": "Shared?", "ask_when": 'adult != "yes"',
         "choices": [{"id": "none", "label": "None"}, {"id": "wide", "label": "Wide"}]},
        {"id": "malice", "text": "Malice?"},
    ],
    "pathways": [
        {"id": "full", "title": "Full", "summary": "Full.",
         "actions": [{"text": "Preserve evidence.", "when": "now"},
                     {"text": "Refer to specialists.", "when": "now"}]},
        {"id": "standard", "title": "Standard", "summary": "Standard.",
         "actions": [{"text": "Investigate.", "when": "today"}]},
        {"id": "light", "title": "Light", "summary": "Light.",
         "actions": [{"text": "Record the crime.", "when": "today"},
                     {"text": "Consider Outcome 21.", "when": "next", "if": "age >= 10"}]},
        {"id": "out", "title": "Out", "summary": "Out.", "ends_questionnaire": True},
    ],
    "precedence": ["full", "standard", "light", "out"],
    "flags": [
        {"id": "urgent", "title": "Urgent", "summary": "Urgent.", "urgent": True,
         "actions": [{"text": "Call emergency services.", "when": "now"}]},
        {"id": "judge", "title": "Judge", "summary": "Judge.",
         "actions": [{"text": "Ask a supervisor.", "when": "today"}]},
    ],
    "rules": [
        {"id": "no-image", "when": 'imagery == "no"', "pathway": "out", "reason": "Out.",
         "cite": C},
        {"id": "in-scope", "when": 'imagery != "no"', "pathway": "light", "reason": "In.",
         "cite": C},
        {"id": "risk", "when": 'risk in ["yes", "unknown"]', "flag": "urgent", "reason": "R.",
         "cite": C},
        {"id": "adult", "when": 'adult in ["yes", "unknown"]', "pathway": "full",
         "reason": "A.", "cite": C, "actions": [{"text": "Tell CEOP.", "when": "today"}]},
        {"id": "adult-unknown", "when": 'adult == "unknown"', "flag": "judge", "reason": "U.",
         "cite": C},
        {"id": "wide", "when": 'extent == "wide" and malice == "yes"', "pathway": "standard",
         "reason": "W.", "cite": C},
        {"id": "young", "when": "age < 10", "reason": "Under 10.", "cite": C,
         "actions": [{"text": "Safeguarding only.", "when": "next"}]},
    ],
}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False)


def small_base(tmp_path: Path, data: dict | None = None, name: str = "small.yaml"):
    p = tmp_path / name
    p.write_text(dump(data or SMALL), encoding="utf-8")
    return load_ruleset(p)


def overlay_file(tmp_path: Path, base, body: str, name: str = "ov.yaml") -> Path:
    p = tmp_path / name
    p.write_text(
        "overlay: test-force\nversion: \"0.1\"\ntitle: Test overlay\nforce: Test Constabulary\n"
        f"base:\n  id: {base.id}\n  version: \"{base.version}\"\n  sha256: \"{base.sha256}\"\n"
        "sources:\n  LOCAL: {title: Local procedure, date: \"2026\"}\n" + body,
        encoding="utf-8")
    return p


def every_situation(rs):
    """Brute force: every complete answers mapping the questionnaire can produce."""
    out = []

    def go(answers):
        w = walk(rs, answers)
        if w.next is None:
            out.append(dict(w.facts))
            return
        for v in w.next.domain:
            go({**answers, w.next.id: v})

    go({})
    return out


# ----------------------------------------------------------------------------- holds


def test_the_example_proves_add_only_over_every_situation(example):
    base = resolve("cop-2024")
    proof = O.prove(base, O.apply(base, O.load_overlay(example)))
    assert proof.holds, proof_text(proof)
    assert proof.failures == () and proof.structure == ()
    kinds = {c.kind for c in proof.changes}
    assert kinds == {"action-added"}
    assert proof.situations_changed("action-added") > 0
    assert "No situation gets a lower pathway, loses a flag or loses an action" in \
        proof_text(proof)


def test_counts_agree_with_brute_force_over_every_situation(tmp_path):
    base = small_base(tmp_path)
    ov = overlay_file(tmp_path, base, (
        "contacts:\n  - {id: door, service: Front Door, reach: phone 01632 960000, "
        "hours: 24 hours}\n"
        "actions:\n  - {to: urgent, text: Call the front door., contact: door, when: now}\n"
        "  - {to: light, text: Tag the report., when: today, if: 'malice != \"yes\"'}\n"
        "questions:\n  - {id: school, text: At school?, after: risk, ask_when: 'risk != \"yes\"'}\n"
        "rules:\n  - id: school\n    when: 'school == \"yes\" and malice == \"yes\"'\n"
        "    pathway: standard\n    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
        "  - id: school-unknown\n    when: 'school == \"unknown\"'\n    flag: judge\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"))
    merged = O.apply(base, O.load_overlay(ov))
    proof = O.prove(base, merged)
    assert proof.holds, proof_text(proof)
    situations = every_situation(merged)
    assert proof.situations == len(situations)
    higher = flagged = more = 0
    for s in situations:
        b = {k: v for k, v in s.items() if k in base.question_index}
        d0, d1 = decide(base, b), decide(merged, s)
        r = {p: n for n, p in enumerate(base.precedence)}
        assert r[d1.pathway] <= r[d0.pathway]
        assert set(d0.flags) <= set(d1.flags)
        higher += r[d1.pathway] < r[d0.pathway]
        flagged += bool(set(d1.flags) - set(d0.flags))
        more += bool(set(d1.action_texts) - set(d0.action_texts))
    assert proof.situations_changed("higher-pathway") == higher > 0
    assert proof.situations_changed("flag-added") == flagged > 0
    assert proof.situations_changed("action-added") == more > 0


def test_a_higher_pathway_outweighs_only_the_lower_pathways_own_actions(tmp_path):
    """'No action lost' (docs/overlays.md): when a local rule raises a higher pathway, the
    lower pathway's own actions (and its rules') go, as in the national edition when its own
    rules raise that pathway; every flag's and every other rule's action stays."""
    base = small_base(tmp_path)
    ov = overlay_file(tmp_path, base, (
        "rules:\n  - id: local-full\n    when: 'malice == \"yes\"'\n    pathway: full\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"))
    merged = O.apply(base, O.load_overlay(ov))
    proof = O.prove(base, merged)
    assert proof.holds, proof_text(proof)
    assert {c.subject for c in proof.of_kind("higher-pathway")} == {
        "light -> full", "standard -> full"}
    ex = {"imagery": "yes", "age": 9, "risk": "yes", "adult": "no", "extent": "none",
          "malice": "yes"}
    d0, d1 = decide(base, ex), decide(merged, ex)
    assert d0.pathway == "light" and d1.pathway == "full"
    assert "Record the crime." not in d1.action_texts  # outweighed, as nationally
    for kept in ("Call emergency services.", "Safeguarding only."):
        assert kept in d0.action_texts and kept in d1.action_texts


# ----------------------------------------------------------------------------- fails


def _edited(tmp_path, change) -> tuple:
    base = small_base(tmp_path)
    data = yaml.safe_load(dump(SMALL))
    change(data)
    return base, small_base(tmp_path, data, "edited.yaml")


def test_a_lower_pathway_is_a_counterexample(tmp_path):
    base, other = _edited(tmp_path, lambda d: d["rules"].pop(3))  # drops the adult rule
    proof = O.prove(base, other)
    assert not proof.holds
    c = proof.counterexample
    assert c.kind == "lower-pathway" and c.subject == "full -> light"
    assert decide(base, c.example).pathway == "full"
    assert decide(other, c.example).pathway == "light"
    text = proof_text(proof)
    assert "NOT add-only" in text and "Counterexample (get a lower pathway" in text
    assert "rule adult: changed or removed" in proof.structure


def test_a_lost_flag_is_a_counterexample(tmp_path):
    base, other = _edited(tmp_path, lambda d: d["rules"].pop(4))  # drops adult-unknown
    proof = O.prove(base, other)
    # the flag's own action goes with it
    assert [(c.kind, c.subject) for c in proof.failures] == [
        ("flag-lost", "judge"), ("action-lost", "Ask a supervisor.")]
    assert proof.counterexample.example["adult"] == "unknown"


def test_a_lost_action_is_a_counterexample(tmp_path):
    def drop(d):
        d["flags"][1]["actions"] = []

    base, other = _edited(tmp_path, drop)
    proof = O.prove(base, other)
    assert [c.kind for c in proof.failures] == ["action-lost"]
    assert proof.counterexample.subject == "Ask a supervisor."
    assert any("flag judge" in s for s in proof.structure)


def test_an_action_hidden_by_an_if_is_a_counterexample(tmp_path):
    def hide(d):
        d["pathways"][2]["actions"][0]["if"] = 'malice == "no"'

    base, other = _edited(tmp_path, hide)
    proof = O.prove(base, other)
    assert proof.counterexample.kind == "action-lost"
    assert proof.counterexample.subject == "Record the crime."
    assert proof.counterexample.example["malice"] != "no"


def test_stopping_the_questions_early_is_a_counterexample(tmp_path):
    def stop(d):
        d["rules"].append({"id": "stop", "when": 'risk == "no"', "pathway": "out",
                           "reason": "S.", "cite": C})

    base, other = _edited(tmp_path, stop)
    proof = O.prove(base, other)
    kinds = {c.kind for c in proof.failures}
    assert "questions-changed" in kinds and "lower-pathway" in kinds
    assert any("ends the questionnaire" in s for s in proof.structure)


def test_national_actions_shown_out_of_order_are_a_counterexample(tmp_path):
    """A local urgent-flag rule repeating a national pathway action would move it ahead of
    the pathway's first action."""
    base = small_base(tmp_path)
    ov = overlay_file(tmp_path, base, (
        "rules:\n  - id: local-risk\n    when: 'risk == \"yes\"'\n    flag: urgent\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
        "    actions: [{text: Refer to specialists., when: now}]\n"))
    proof = O.prove(base, O.apply(base, O.load_overlay(ov)))
    assert [c.kind for c in proof.failures] == ["reordered"]
    assert "show the national actions in another order" in proof_text(proof)


# ----------------------------------------------------------------------------- change note


def test_change_note_lists_additions_counts_examples_and_the_safety_line(tmp_path):
    base = small_base(tmp_path)
    ov = overlay_file(tmp_path, base, (
        "contacts:\n  - {id: door, service: Front Door, reach: \"phone | <b>01632</b>\", "
        "hours: 24 hours}\n"
        "actions:\n  - {to: urgent, text: \"Call the *front* door.\", contact: door, when: now}\n"
        "rules:\n  - id: local-full\n    when: 'malice == \"yes\"'\n    pathway: full\n"
        "    reason: \"# Local.\"\n    cite: [{source: LOCAL, section: S}]\n"))
    proof = O.prove(base, O.apply(base, O.load_overlay(ov)))
    note = change_note(proof)
    assert ("**No situation gets a lower pathway, loses a flag or loses an action: proved "
            f"over every one of the {proof.situations:,} situations.**") in note
    assert f"| national edition | `small` | 1.0 | `{base.sha256}` |" in note
    n = proof.situations_changed("higher-pathway")
    assert f"{n:,} situation(s) in all" in note
    for c in proof.of_kind("higher-pathway"):
        a, b = c.subject.split(" -> ")
        assert f"- `{a}` to `{b}`: {c.count:,} situation(s)" in note
    assert note.count("Example: ") == len(proof.of_kind("higher-pathway")) + len(
        proof.of_kind("action-added"))
    # file text never becomes markup
    assert "<b>" not in note and "&lt;b&gt;" in note and "phone \\| " in note
    assert "Call the \\*front\\* door." in note
    assert "\n# Local" not in note and "\\# Local." in note


def test_change_note_of_a_failing_overlay_says_so(tmp_path):
    base, other = _edited(tmp_path, lambda d: d["rules"].pop(3))
    note = change_note(O.prove(base, other))
    assert "**NOT add-only:" in note and "Counterexample" in note
    assert "No situation gets a lower pathway" not in note


# ----------------------------------------------------------------------------- rebase


def _old_pin(path: Path) -> str:
    """The file pinned to an older edition of the same rule set (a made-up sha256)."""
    text = path.read_text(encoding="utf-8")
    pin = O.load_overlay(path).pin
    old = text.replace(pin["sha256"], "1" * 64).replace(f'version: "{pin["version"]}"',
                                                        'version: "0.9.0"', 1)
    path.write_text(old, encoding="utf-8")
    return old


def test_rebase_rewrites_only_the_pin_when_the_proof_holds(tmp_path, example):
    new = resolve("cop-2024")
    p = tmp_path / "force.yaml"
    p.write_bytes(example.read_bytes())
    old = _old_pin(p)
    with pytest.raises(UsageError, match="rules rebase"):
        O.apply(new, O.load_overlay(p))
    result = O.rebase(p, new)
    assert result.proof.holds and result.written
    after = p.read_text(encoding="utf-8")
    assert after == old.replace("1" * 64, new.sha256).replace('version: "0.9.0"',
                                                               f'version: "{new.version}"', 1)
    assert after == example.read_text(encoding="utf-8")
    assert O.pin_problem(new, O.load_overlay(p)) is None
    again = O.rebase(p, new)
    assert again.proof.holds and not again.written
    assert "already names this edition" in rebase_text(again, str(p))


def test_rebase_refuses_to_repin_when_the_proof_fails(tmp_path):
    base = small_base(tmp_path)
    p = overlay_file(tmp_path, base, (
        "rules:\n  - id: local-risk\n    when: 'risk == \"yes\"'\n    flag: urgent\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
        "    actions: [{text: Refer to specialists., when: now}]\n"))
    before = _old_pin(p)
    result = O.rebase(p, base)
    assert not result.proof.holds and not result.written
    assert p.read_text(encoding="utf-8") == before
    assert "The pin was NOT changed" in rebase_text(result, str(p))


def test_rebase_reports_local_text_the_national_edition_now_has(tmp_path):
    base = small_base(tmp_path)
    p = overlay_file(tmp_path, base, (
        "actions:\n  - {to: judge, text: Tell the duty inspector., when: today}\n"
        "questions:\n  - {id: school, text: Did it happen at school?}\n"))
    data = yaml.safe_load(dump(SMALL))
    data["flags"][1]["actions"].append({"text": "Tell the duty inspector", "when": "today"})
    data["questions"].append({"id": "at_school", "text": "Did it happen at SCHOOL?"})
    new = small_base(tmp_path, data, "new.yaml")
    result = O.rebase(p, new)
    assert result.proof.holds and result.written
    got = {(d.kind, d.local, d.national) for d in result.duplicates}
    assert got == {("action", "actions[0] (on judge)", "flag judge"),
                   ("question", "school", "question at_school")}
    text = rebase_text(result, str(p))
    assert "question school: same text as national question at_school" in text


def test_rules_rebase_command(tmp_path, capsys, example):
    import sexting_triage.cli.overlay  # noqa: F401  (registers `rules rebase`)
    from sexting_triage.cli import main

    p = tmp_path / "force.yaml"
    p.write_bytes(example.read_bytes())
    _old_pin(p)
    assert main(["rules", "rebase", str(p), "--onto", "cop-2024", "--dry-run"]) == 0
    assert "1" * 64 in p.read_text()
    assert main(["rules", "rebase", str(p), "--onto", "cop-2024"]) == 0
    out = capsys.readouterr().out
    assert "The pin now names cop-2024" in out
    assert p.read_bytes() == example.read_bytes()
    assert main(["rules", "rebase", str(tmp_path / "missing.yaml"), "--onto", "cop-2024"]) == 2


@pytest.mark.slow
def test_every_small_overlay_shape_proves_add_only(tmp_path):
    """Every combination of local effects on the small edition proves add-only, and the
    brute-force decisions agree with the proof's counts."""
    effects = [("pathway", "full"), ("pathway", "standard"), ("flag", "urgent"),
               ("flag", "judge"), (None, None)]
    whens = ['school == "yes"', 'school == "unknown" or malice == "yes"', "age < 12"]
    for (kind, target), when in itertools.product(effects, whens):
        base = small_base(tmp_path)
        effect = f"    {kind}: {target}\n" if kind else ""
        ov = overlay_file(tmp_path, base, (
            "questions:\n  - {id: school, text: At school?}\n"
            f"rules:\n  - id: local\n    when: '{when}'\n{effect}"
            "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
            "    actions: [{text: Local step., when: today}]\n"))
        merged = O.apply(base, O.load_overlay(ov))
        proof = O.prove(base, merged)
        assert proof.holds, (kind, target, when, proof_text(proof))
        situations = every_situation(merged)
        assert proof.situations == len(situations)
        more = sum(1 for s in situations
                   if "Local step." in decide(merged, s).action_texts)
        assert dict(proof.counts).get("action-added", 0) == more


def test_rebase_rewrites_a_flow_style_pin_in_place(tmp_path):
    base = small_base(tmp_path)
    p = tmp_path / "flow.yaml"
    p.write_text("overlay: f\nversion: \"1\"\ntitle: T\nforce: Test Constabulary\n"
                 "base: {id: small, version: \"0.1\", sha256: " + "ab" * 32 + "}  # pin\n"
                 "actions:\n  - {to: judge, text: Tell the duty inspector., when: today}\n",
                 encoding="utf-8")
    assert O.rebase(p, base).written
    assert p.read_text(encoding="utf-8").splitlines()[4] == (
        f'base: {{id: small, version: "1.0", sha256: "{base.sha256}"}}  # pin')
    assert O.pin_problem(base, O.load_overlay(p)) is None


def test_footer_lines_name_the_national_file_and_the_overlay(tmp_path):
    from sexting_triage.render.overlayout import provenance_lines

    base = small_base(tmp_path)
    p = overlay_file(tmp_path, base, "actions:\n  - {to: judge, text: Tell the inspector.}\n")
    rs = O.apply(base, O.load_overlay(p))
    lines = provenance_lines(rs)
    assert lines[1] == f"Rule-set sha256: {base.sha256}"
    assert lines[2] == "Force overlay: test-force 0.1 (Test Constabulary)"
    assert lines[3] == f"Overlay sha256: {O.load_overlay(p).sha256}"
    assert provenance_lines(base)[1] == f"Rule-set sha256: {base.sha256}"


def test_a_local_pathway_for_a_case_the_questions_stopped_on_is_a_counterexample(tmp_path):
    """Out of scope ends the national questions; a local rule giving such a case a pathway
    would recommend one without the answers that decide it."""
    base = small_base(tmp_path)
    ov = overlay_file(tmp_path, base, (
        "rules:\n  - id: local-light\n    when: 'imagery == \"no\"'\n    pathway: light\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"))
    proof = O.prove(base, O.apply(base, O.load_overlay(ov)))
    assert [(c.kind, c.subject) for c in proof.failures] == [("overrides-stop", "out -> light")]
    assert proof.counterexample.example == {"imagery": "no"}
    assert "after the national questions stopped" in proof_text(proof)


def test_rules_check_of_an_overlay_reports_a_local_rule_that_never_fires(tmp_path, capsys):
    import sexting_triage.cli.overlay as cli_overlay

    base = small_base(tmp_path)
    p = overlay_file(tmp_path, base, (
        "questions:\n  - {id: school, text: At school?}\n"
        "rules:\n  - id: never\n    when: 'school == \"yes\" and school == \"no\"'\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
        "    actions: [{text: Local step., when: today}]\n"))
    assert cli_overlay.check_overlay_command(str(p), str(tmp_path / "small.yaml")) == 1
    out = capsys.readouterr().out
    assert "No situation gets a lower pathway" in out  # still add-only: it adds nothing
    assert "error [rule-never-fires] never:" in out
    good = overlay_file(tmp_path, base, (
        "questions:\n  - {id: school, text: At school?}\n"
        "rules:\n  - id: school\n    when: 'school == \"yes\"'\n"
        "    reason: Local.\n    cite: [{source: LOCAL, section: S}]\n"
        "    actions: [{text: Local step., when: today}]\n"), name="good.yaml")
    assert cli_overlay.check_overlay_command(str(good), str(tmp_path / "small.yaml")) == 0
    pinned = overlay_file(tmp_path, resolve("cop-2024"), "", name="other.yaml")
    with pytest.raises(UsageError, match="is pinned to cop-2024"):
        cli_overlay.check_overlay_command(str(pinned), str(tmp_path / "small.yaml"))


def test_rules_check_of_the_shipped_example_is_clean(capsys, example):
    """The example forces copy from: proved add-only, with no warning of its own (its local
    procedure lists the headings it cites)."""
    import sexting_triage.cli.overlay as cli_overlay

    assert cli_overlay.check_overlay_command(str(example), None) == 0
    out = capsys.readouterr().out
    assert "No situation gets a lower pathway" in out
    assert "warning" not in out and "error" not in out
