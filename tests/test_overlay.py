"""Force overlays (issue 15): the format and its load errors, merging onto the base, the
config file and environment variable, and `rules_for`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import ROOT
from sexting_triage import overlay as O
from sexting_triage.engine import decide
from sexting_triage.errors import InputError, UsageError
from sexting_triage.loader import resolve

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
BASE = ROOT / "rules" / "cop-2024.yaml"

# a complete in-scope case with nothing aggravating (the proportionate response)
PLAIN = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 15, "immediate_risk": "no",
         "adult_involved": "no", "coercion": "no", "financial_sextortion": "no",
         "grooming_or_exploitation": "no", "profit_motive": "no", "capacity_concern": "no",
         "wider_child_protection": "no", "sexual_acts": "no", "ai_or_altered": "no",
         "taken_without_consent": "no", "sharing_extent": "intended_recipient",
         "shared_without_consent": "no", "malicious_intent": "no",
         "previous_incidents": "no", "power_imbalance": "no"}


@pytest.fixture(autouse=True)
def _no_config(tmp_path, monkeypatch):
    """No real config file or environment variable reaches these tests."""
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "machine-config"))


def base_pin() -> str:
    rs = resolve("cop-2024")
    return (f"base:\n  id: {rs.id}\n  version: \"{rs.version}\"\n"
            f"  sha256: \"{rs.sha256}\"\n")


HEAD = ("overlay: test-force\nversion: \"0.1\"\ntitle: Test overlay\n"
        "force: Test Constabulary\n")


def write(tmp_path: Path, body: str, name: str = "ov.yaml", pin: str | None = None) -> Path:
    p = tmp_path / name
    p.write_text(HEAD + (base_pin() if pin is None else pin) + body, encoding="utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        O.apply(resolve("cop-2024"), O.load_overlay(path))
    return exc.value.lines()


# ----------------------------------------------------------------------------- the example


def test_example_is_pinned_to_the_bundled_edition():
    """The shipped example names the bundled cop-2024 by its exact sha256 (re-pin it with
    `rules rebase examples/overlays/example-force.yaml --onto cop-2024` when that changes)."""
    ov = O.load_overlay(SHIPPED)
    assert ov.pin["sha256"] == hashlib.sha256(BASE.read_bytes()).hexdigest()
    assert ov.pin["id"] == "cop-2024"
    assert O.pin_problem(resolve("cop-2024"), ov) is None


def test_example_adds_contacts_actions_and_a_question(example):
    base = resolve("cop-2024")
    rs = O.apply(base, O.load_overlay(example))
    ov = O.load_overlay(example)
    assert len(ov.data["contacts"]) >= 1
    targets = {a["to"] for a in ov.data["actions"]}
    assert len(ov.data["actions"]) >= 3 and targets & set(base.pathways) and \
        targets & set(base.flags)
    assert [q.id for q in rs.questions if q.id not in base.question_index] == ["school_setting"]
    # placed right after the base question it names; base order kept
    ids = [q.id for q in rs.questions]
    assert ids.index("school_setting") == ids.index("wider_child_protection") + 1
    assert [i for i in ids if i != "school_setting"] == [q.id for q in base.questions]
    d = decide(rs, PLAIN | {"school_setting": "yes"})
    texts = " | ".join(d.action_texts)
    assert "safer schools officer on duty" in texts and "Safer Schools Officer rota" in texts
    assert "Tag the crime report" in texts
    assert d.pathway == decide(base, PLAIN).pathway


def test_merged_rule_set_names_base_and_overlay_with_their_sha256(example):
    from sexting_triage.serialize import decision_dict

    base = resolve("cop-2024")
    ov = O.load_overlay(example)
    rs = O.apply(base, ov)
    prov = rs.provenance()
    assert prov["base_sha256"] == base.sha256 and prov["overlay_sha256"] == ov.sha256
    assert prov["sha256"] == O.pair_sha256(base.sha256, ov.sha256) != base.sha256
    doc = decision_dict(decide(rs, PLAIN | {"school_setting": "no"}))
    assert doc["overlay"]["sha256"] == ov.sha256
    assert doc["overlay"]["base"] == {"id": "cop-2024", "version": base.version,
                                      "sha256": base.sha256}
    assert doc["rules"]["overlay"] == "example-constabulary"
    assert "overlay" not in decision_dict(decide(base, PLAIN))


def test_contact_details_join_the_action_text(example):
    rs = O.apply(resolve("cop-2024"), O.load_overlay(example))
    texts = [a.text for a in rs.flags["immediate-safeguarding"].actions]
    assert texts[-1] == ("Call the children's services front door now. (Example County "
                         "Children's Services Front Door: phone 01632 960000; 24 hours)")
    # the base's own actions come first, unchanged
    base = resolve("cop-2024")
    assert tuple(rs.flags["immediate-safeguarding"].actions[:-1]) == \
        base.flags["immediate-safeguarding"].actions


# ----------------------------------------------------------------------------- load errors


def test_reusing_a_base_id_is_a_located_error(tmp_path):
    p = write(tmp_path, "questions:\n  - id: coercion\n    text: Again?\n"
                        "rules:\n  - id: adult-involved\n    when: 'coercion == \"yes\"'\n"
                        "    reason: r\n    cite: [{source: CoP-current, section: x}]\n"
                        "sources:\n  NCA-2024: {title: t, date: d}\n")
    got = problems(p)
    assert any(":10:9: questions[coercion].id: `coercion` is a question of the base" in g
               for g in got), got
    assert any(":13:9: rules[adult-involved].id: `adult-involved` is a rule of the base" in g
               for g in got), got
    assert any(":18:3: sources.NCA-2024: `NCA-2024` is a source of the base" in g
               for g in got), got


def test_unknown_keys_are_located_errors(tmp_path):
    p = write(tmp_path, "pathways:\n  - id: full-investigation\n"
                        "actions:\n  - to: full-investigation\n    text: Do it.\n"
                        "    replace: true\n")
    with pytest.raises(InputError) as exc:
        O.load_overlay(p)
    got = exc.value.lines()
    assert any(":9:1: pathways: unknown field `pathways`" in g for g in got), got
    assert any(":14:5: actions[0].replace: unknown field `replace`" in g for g in got), got


def test_actions_must_name_a_base_pathway_or_flag(tmp_path):
    p = write(tmp_path, "actions:\n  - {to: full-investigaton, text: Do it.}\n")
    got = problems(p)
    assert len(got) == 1 and ":10:" in got[0] and \
        "unknown pathway or flag `full-investigaton`" in got[0]


def test_a_local_rule_may_not_end_the_questionnaire(tmp_path):
    p = write(tmp_path, "rules:\n  - id: stop\n    when: 'coercion == \"no\"'\n"
                        "    pathway: out-of-scope\n    reason: r\n"
                        "    cite: [{source: CoP-current, section: x}]\n")
    got = problems(p)
    assert any("rules[stop].pathway: `out-of-scope` ends the questionnaire" in g
               for g in got), got


def test_conditions_are_checked_against_base_and_local_facts(tmp_path):
    p = write(tmp_path,
              "questions:\n  - id: early\n    after: imagery\n    text: Early?\n"
              "    ask_when: 'coercion == \"yes\"'\n"
              "  - id: late\n    text: Late?\n"
              "    ask_when: 'coercion == \"yes\" and early == \"no\"'\n"
              "rules:\n  - id: r1\n    when: 'sharing_extent == \"wide\" or nothing == \"yes\"'\n"
              "    reason: r\n    cite: [{source: LOCAL, section: x}]\n"
              "    actions: [{text: Do it., if: 'late == \"maybe\"'}]\n")
    got = problems(p)
    joined = "\n".join(got)
    assert "questions[early].ask_when: `coercion` is not asked before this question" in joined
    assert "questions[late].ask_when" not in joined  # base and earlier local facts are fine
    assert "`wide` is not an answer to `sharing_extent`" in joined
    assert "unknown fact `nothing`" in joined
    assert "unknown source `LOCAL`" in joined
    assert "`maybe` is not an answer to `late`" in joined


@pytest.mark.parametrize("text", [
    "John Smith", "Call Jane Doe on 01632 960000", "PC Morgan", "Dr Patel's clinic",
    "jane.smith@example.police.uk", "Sarah O'Brien-Jones"])
def test_a_contact_that_names_a_person_is_refused(tmp_path, text):
    p = write(tmp_path, "contacts:\n  - id: c\n    service: " + json.dumps(text) +
              "\n    reach: phone 01632 960000\n    hours: 24 hours\n")
    with pytest.raises(InputError) as exc:
        O.load_overlay(p)
    assert "contacts[c].service:" in exc.value.lines()[0]
    assert "person" in exc.value.lines()[0]


@pytest.mark.parametrize("text", [
    "Example County Children's Services Front Door", "Online Child Sexual Abuse Team",
    "MASH", "Force Control Room", "the duty inspector", "NSPCC Helpline",
    "Monday to Friday 8am to 6pm", "team mailbox ocsa@example.police.uk",
    "Report Remove (Childline and IWF)"])
def test_services_are_not_people(text):
    assert O.looks_like_person(text) is None


def test_pin_to_another_sha256_is_refused_with_what_to_recheck(tmp_path):
    pin = "base:\n  id: cop-2024\n  version: \"1.0.0\"\n  sha256: \"" + "0" * 64 + "\"\n"
    p = write(tmp_path, "", pin=pin)
    with pytest.raises(UsageError) as exc:
        O.apply(resolve("cop-2024"), O.load_overlay(p))
    msg = str(exc.value)
    assert "pinned to cop-2024 1.0.0 (sha256 000000000000)" in msg
    assert "rules rebase" in msg and "re-check" in msg


# ----------------------------------------------------------------------------- config


def test_option_beats_environment_beats_user_beats_machine(tmp_path, monkeypatch):
    from sexting_triage.config import overlay_choice

    user = tmp_path / "user-config" / "sexting-triage.toml"
    machine = tmp_path / "machine-config" / "sexting-triage.toml"
    machine.parent.mkdir()
    machine.write_text('[overlay]\npath = "machine.yaml"\n')
    assert overlay_choice().path == machine.parent / "machine.yaml"
    user.parent.mkdir()
    user.write_text('[overlay]\npath = "/srv/user.yaml"\n')
    assert overlay_choice().path == Path("/srv/user.yaml")
    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", "/srv/env.yaml")
    assert overlay_choice().path == Path("/srv/env.yaml")
    assert overlay_choice("/srv/opt.yaml").path == Path("/srv/opt.yaml")
    assert overlay_choice("none").path is None
    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", "")
    assert overlay_choice().path is None and overlay_choice().source == "environment"


def test_a_broken_config_file_is_an_error_naming_it(tmp_path):
    from sexting_triage.config import overlay_choice

    user = tmp_path / "user-config" / "sexting-triage.toml"
    user.parent.mkdir()
    user.write_text('[overlay]\npaht = "x.yaml"\n')
    with pytest.raises(InputError) as exc:
        overlay_choice()
    assert str(user) in exc.value.lines()[0] and "overlay.paht" in exc.value.lines()[0]
    user.write_text('[overlay\n')
    with pytest.raises(InputError):
        overlay_choice()


def test_rules_for_applies_the_configured_overlay(tmp_path, monkeypatch, example):
    from sexting_triage.cli.common import rules_for

    assert O.overlay_of(rules_for(None, None)) is None
    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", str(example))
    rs = rules_for(None, None)
    assert O.overlay_of(rs) is not None and rs.id == "cop-2024"
    assert O.overlay_of(rules_for(None, Path("none"))) is None
    assert O.overlay_of(rules_for("cop-2024", None)) is not None


def test_a_configured_overlay_for_another_edition_is_not_applied(monkeypatch, capsys, example):
    from sexting_triage.cli.common import rules_for

    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", str(example))
    rs = rules_for("cop-2016", None)
    assert O.overlay_of(rs) is None and rs.id == "cop-2016"
    assert "is an overlay for cop-2024, not cop-2016: not applied" in capsys.readouterr().err
    with pytest.raises(UsageError):  # given on the command line, it is refused instead
        rules_for("cop-2016", example)


# ----------------------------------------------------------------------------- schema


def test_committed_overlay_schema_matches_the_models():
    committed = json.loads((ROOT / "schema" / "overlay.schema.json").read_text())
    assert committed == O.overlay_schema(), (
        "schema/overlay.schema.json is stale: regenerate it from overlay.overlay_schema()")


def test_the_example_points_at_the_schema_and_validates():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    first = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/overlay.schema.json"
    schema = json.loads((ROOT / "schema" / "overlay.schema.json").read_text())
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({**data, "pathways": []})


# ----------------------------------------------------------------------------- records


def test_a_record_made_with_an_overlay_verifies_only_with_that_overlay(tmp_path, example):
    from sexting_triage import records

    base = resolve("cop-2024")
    rs = O.apply(base, O.load_overlay(example))
    rec = records.build(decide(rs, PLAIN | {"school_setting": "yes"}))
    assert rec["rules"]["overlay_sha256"] == O.load_overlay(example).sha256
    assert rec["rules"]["base_sha256"] == base.sha256
    # with the overlay the record names: everything matches
    again = O.record_rules(rec, base, example)
    assert all(p.ok for p in records.verify(rec, again))
    assert O.verify_overlay(rec, again)[0] is True
    # without it: the provenance and the overlay check both say so
    parts = {p.name: p for p in records.verify(rec, base)}
    assert not parts["provenance"].ok
    ok, detail = O.verify_overlay(rec, base)
    assert not ok and "made with overlay example-constabulary" in detail
    with pytest.raises(UsageError, match="give that overlay file with --overlay"):
        O.record_rules(rec, base, "none")
    # another overlay file: refused, naming both
    other = tmp_path / "other.yaml"
    other.write_text(example.read_text(encoding="utf-8").replace('version: "1.0.0"',
                                                                 'version: "1.0.1"', 1))
    with pytest.raises(UsageError, match="give the overlay file the record was made with"):
        O.record_rules(rec, base, other)
    # a record without an overlay needs none
    plain = records.build(decide(base, PLAIN))
    assert O.record_rules(plain, base, None) is base
    assert O.verify_overlay(plain, base) is None


def test_rules_show_lists_the_local_question(capsys, example):
    from sexting_triage.cli import main

    assert main(["rules", "show", "cop-2024", "--overlay", str(example), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "school_setting" in [q["id"] for q in doc["questions"]]


def test_a_titled_name_in_any_local_text_is_refused(tmp_path):
    p = write(tmp_path, "actions:\n  - {to: full-investigation, text: Tell DS Patel at once.}\n"
                        "  - {to: full-investigation, text: Tell the duty inspector at once.}\n")
    with pytest.raises(InputError) as exc:
        O.load_overlay(p)
    got = exc.value.lines()
    assert len(got) == 1 and "actions[0].text: `DS Patel` looks like a person's name" in got[0]


def test_local_question_shapes_and_rule_ids_are_checked(tmp_path):
    p = write(tmp_path, "questions:\n  - {id: pick, type: choice, text: Pick?, "
                        "choices: [{id: a, label: A}]}\n"
                        "  - {id: n, type: integer, text: N?, min: 5, max: 1}\n"
                        "rules:\n  - id: immediate-safeguarding\n    when: 'pick == \"a\"'\n"
                        "    reason: r\n    cite: [{source: CoP-current, section: x}]\n")
    got = "\n".join(problems(p))
    assert ":10:5: questions[pick]: a choice question needs at least two `choices`" in got
    assert "questions[n].max: max (1) is below min (5)" in got
    assert "`immediate-safeguarding` is a pathway or flag of the base" in got


def test_a_missing_configured_overlay_says_where_it_was_named(tmp_path, monkeypatch):
    from sexting_triage.cli.common import rules_for

    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", str(tmp_path / "gone.yaml"))
    with pytest.raises(UsageError, match=r"named by \$SEXTING_TRIAGE_OVERLAY; `--overlay none`"):
        rules_for(None, None)
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY")
    conf = tmp_path / "user-config" / "sexting-triage.toml"
    conf.parent.mkdir()
    conf.write_text('[overlay]\npath = "gone.yaml"\n')
    with pytest.raises(UsageError, match=f"named by {conf}"):
        rules_for(None, None)


def test_merging_with_and_without_the_rule_set_cache_gives_the_same_rules(example, monkeypatch):
    base = resolve("cop-2024")
    cached = O.apply(base, O.load_overlay(example))
    monkeypatch.setenv("SEXTING_TRIAGE_NO_CACHE", "1")
    fresh = O.apply(base, O.load_overlay(example))
    assert fresh.questions == cached.questions and fresh.rules == cached.rules
    assert fresh.pathways == cached.pathways and fresh.flags == cached.flags
