"""Decision records: content hash, re-deciding the stored answers, tampering, rendering."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers import CLEAN_2016
from sexting_triage import records
from sexting_triage.cli import main
from sexting_triage.engine import decide
from sexting_triage.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]

# Example 7 of the domain brief: forwarded to a year-group chat, the child says she wants to die.
ANSWERS = {
    "imagery": "yes", "subject_under_18": "yes", "youngest_age": 14, "immediate_risk": "yes",
    "adult_involved": "no", "coercion": "no", "grooming_or_exploitation": "no",
    "profit_motive": "no", "capacity_concern": "no", "wider_child_protection": "no",
    "sexual_acts": "no", "taken_without_consent": "no",
    "sharing_extent": "widely", "shared_without_consent": "yes",
    "malicious_intent": "no", "previous_incidents": "no",
}
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def rec(cop2016):
    return records.build(decide(cop2016, ANSWERS), "CAD-77/26", now=WHEN)


def write(tmp_path: Path, data: dict, name: str = "r.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, indent=2))
    return p


def parts(rec: dict, rs) -> dict[str, bool]:
    return {p.name: p.ok for p in records.verify(rec, rs)}


def test_record_holds_provenance_answers_and_decision(rec, cop2016):
    assert rec["schema"] == "sexting-triage/record/2"
    assert rec["created"] == "2026-01-02T03:04:05Z"
    assert rec["rules"]["sha256"] == cop2016.sha256 and rec["rules"]["id"] == "cop-2016"
    assert rec["tool"]["version"]
    assert rec["answers"] == ANSWERS
    assert rec["decision"]["pathway"]["id"] == "standard-investigation"
    assert rec["decision"]["flags"][0] == "immediate-safeguarding"
    assert all(r["cite"] for r in rec["decision"]["reasons"])
    assert rec["incident_ref"] == "CAD-77/26"
    assert rec["sha256"] == records.content_hash(rec)
    assert len(rec["sha256"]) == 64


def test_canonical_hash_ignores_layout_not_content(rec):
    again = json.loads(json.dumps(rec, indent=7))
    assert records.content_hash(again) == rec["sha256"]
    again["answers"]["youngest_age"] = 15
    assert records.content_hash(again) != rec["sha256"]


def test_intact_record_verifies(rec, cop2016):
    assert parts(rec, cop2016) == {"content": True, "provenance": True, "answers": True,
                                   "decision": True}


def test_edited_record_is_detected(rec, cop2016):
    rec["decision"]["pathway"] = {"id": "proportionate-response", "title": "x"}
    result = parts(rec, cop2016)
    assert result["content"] is False and result["decision"] is False
    assert result["provenance"] and result["answers"]


def test_edited_answers_with_a_recomputed_hash_are_caught_by_re_deciding(rec, cop2016):
    rec["answers"]["shared_without_consent"] = "no"
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    checked = records.verify(rec, cop2016)
    by = {p.name: p for p in checked}
    assert by["content"].ok and not by["decision"].ok
    assert "pathway was standard-investigation, now proportionate-response" in (
        by["decision"].detail)


def test_record_keeps_what_each_flag_means_and_a_resealed_edit_is_caught(cop2016):
    answers = {**CLEAN_2016, "immediate_risk": "unknown"}
    rec = records.build(decide(cop2016, answers))
    details = rec["decision"]["flag_details"]
    assert [f["id"] for f in details] == rec["decision"]["flags"]
    urgent = details[0]
    assert urgent["urgent"] is True and urgent["title"].startswith("A child is, or may be")
    assert urgent["headline"] == "Not yet known: establish now whether the child is safe"
    assert all(p.ok for p in records.verify(rec, cop2016))
    urgent["headline"] = "Nothing urgent"
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    by = {p.name: p for p in records.verify(rec, cop2016)}
    assert by["content"].ok and not by["decision"].ok
    assert "flag titles or headlines differ" in by["decision"].detail
    # a record made before the details were kept still verifies
    del rec["decision"]["flag_details"]
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    assert all(p.ok for p in records.verify(rec, cop2016))


def test_changed_rule_set_is_a_provenance_difference(rec, tmp_path):
    from sexting_triage.loader import load_ruleset

    copy = tmp_path / "rules.yaml"
    text = (ROOT / "rules" / "cop-2016.yaml").read_text()
    copy.write_text(text + "\n# a comment: another file, the same rules\n")
    result = parts(rec, load_ruleset(copy))
    assert result == {"content": True, "provenance": False, "answers": True, "decision": True}


def test_missing_and_unused_answers_are_answer_differences(rec, cop2016):
    del rec["answers"]["previous_incidents"]
    assert parts(rec, cop2016)["answers"] is False
    rec["answers"]["previous_incidents"] = "no"
    rec["answers"]["atypical_or_violent"] = "no"  # not asked when sexual_acts is no
    by = {p.name: p for p in records.verify(rec, cop2016)}
    assert not by["answers"].ok and "atypical_or_violent" in by["answers"].detail
    rec["answers"]["youngest_age"] = 40
    assert parts(rec, cop2016)["answers"] is False


@pytest.mark.parametrize("ref", ["Jane Smith", "JaneSmith", "", "x" * 41, "12 34", "<b>1</b>"])
def test_incident_ref_refuses_names_and_junk(ref):
    with pytest.raises(UsageError, match="Never a name"):
        records.check_incident_ref(ref)


# Two or more words in name case (a capital, then lower-case letters) look like a person's name
LOOKS_LIKE_A_NAME = [
    "Jane.Doe.2011", "Jane.Doe", "Jane_Doe_2011", "Jane-Doe-15", "JaneDoe2011", "Doe.Jane.1",
    "Amir.Khan.2010-03-04", "Jane.Doe.Smith.1", "Mary-Jane.Watson.7", "McDonald1",
    "2011.Jane.Doe", "Jo.Li.09", "CAD-1234.Jane.Doe", "Tom/Smith/2012", "Ann:Lee:3",
]
REFERENCES = [
    "WMP-CR-12345/24", "CAD-1234-26", "CAD-1234/26", "2026/000123", "OP_7.4#2", "MPS-01/2345",
    "GMP.24.00012", "Cr-12345-24", "Ref-2026-1", "WYP:2026:42", "CR/2024/0001234", "A1",
    "TVP-OUT21-2024-17", "Cad-1", "x1",
]


@pytest.mark.parametrize("ref", LOOKS_LIKE_A_NAME)
def test_incident_ref_that_looks_like_a_name_is_refused(ref):
    with pytest.raises(UsageError) as exc:
        records.check_incident_ref(ref)
    msg = str(exc.value)
    assert "looks like a person's name" in msg
    assert "for example WMP-CR-12345/24" in msg and "Never a name" in msg


@pytest.mark.parametrize("ref", REFERENCES)
def test_incident_ref_accepts_force_references(ref):
    assert records.check_incident_ref(ref) == ref


def test_triage_refuses_a_name_as_incident_ref_before_asking(tmp_path, capsys):
    code = main(["triage", "--accessible", "--session-dir", str(tmp_path), "--record",
                 str(tmp_path / "r.json"), "--incident-ref", "Jane.Doe.2011"])
    err = capsys.readouterr().err
    assert code == 2 and "looks like a person's name" in err
    assert not list(tmp_path.iterdir())  # nothing asked, nothing saved


# ----------------------------------------------------------------------------- officer decision


def test_officer_agreeing_is_kept_sealed_and_verified(cop2016):
    d = decide(cop2016, ANSWERS)
    rec = records.build(d, "CAD-1-26", {"decision": "agree", "reason": "agree-with-reasons"},
                        now=WHEN)
    assert rec["officer"] == {"decision": "agree", "pathway": d.pathway, "agrees": True,
                              "reason": "agree-with-reasons",
                              "reason_text": records.OFFICER_REASONS["agree-with-reasons"]}
    assert "officer" in rec["parts"] and records.intact(rec)
    by = {p.name: p for p in records.verify(rec, cop2016)}
    assert all(p.ok for p in by.values())
    assert "agreed with the recommendation" in by["officer"].detail


def test_officer_choosing_another_pathway_needs_a_fixed_reason(cop2016):
    d = decide(cop2016, ANSWERS)
    other = next(p for p in cop2016.pathways if p != d.pathway)
    rec = records.build(d, officer={"decision": other, "reason": "supervisor-direction"})
    assert rec["officer"]["pathway"] == other and rec["officer"]["agrees"] is False
    assert rec["decision"]["pathway"]["id"] == d.pathway  # the recommendation is kept beside
    by = {p.name: p for p in records.verify(rec, cop2016)}
    assert by["officer"].ok and f"chose {other}" in by["officer"].detail
    # choosing the recommended pathway by its id is agreeing
    same = records.build(d, officer={"decision": d.pathway, "reason": "force-policy"})
    assert same["officer"]["decision"] == "agree" and same["officer"]["agrees"] is True


@pytest.mark.parametrize(("officer", "message"), [
    ({"decision": "arrest-everyone", "reason": "force-policy"}, "give agree or one of"),
    ({"decision": "full-investigation"}, "gives a reason"),
    ({"decision": "agree", "reason": "I just felt like it"}, "never free text"),
    ({"decision": "agree", "reason": "force-policy", "note": "Jane Doe"}, "only `decision`"),
    ({"decision": None}, "is not accepted"),
])
def test_officer_decision_outside_the_fixed_lists_is_refused(cop2016, officer, message):
    with pytest.raises(UsageError, match=message):
        records.build(decide(cop2016, ANSWERS), officer=officer)


def test_officer_reasons_are_short_plain_codes():
    assert len(records.OFFICER_REASONS) >= 6
    for code, label in records.OFFICER_REASONS.items():
        assert code == code.lower() and " " not in code and len(label) < 80


@pytest.mark.parametrize("edit", [
    lambda r: r["officer"].update(decision="full-investigation", agrees=False,
                                  pathway="full-investigation"),
    lambda r: r["officer"].update(reason="facts-disputed"),
    lambda r: r.pop("officer"),
])
def test_edited_officer_decision_is_named(cop2016, edit):
    rec = records.build(decide(cop2016, ANSWERS),
                        officer={"decision": "agree", "reason": "agree-with-reasons"})
    edit(rec)
    rec["sha256"] = records.content_hash(rec)  # the overall hash fixed up, the part's not
    content = records.verify(rec, cop2016)[0]
    assert not content.ok and "officer's decision" in content.detail


def test_record_without_officer_part_verifies_and_old_schema_is_read(rec, cop2016, tmp_path):
    assert "officer" not in rec and "officer" not in rec["parts"]
    assert [p.name for p in records.verify(rec, cop2016)] == ["content", "provenance",
                                                              "answers", "decision"]
    old = dict(rec, schema="sexting-triage/record/1")
    old = records.seal(old)
    p = write(tmp_path, old, "old.json")
    assert records.load(p)["schema"] == "sexting-triage/record/1"


def test_cli_verify_match_and_mismatch(rec, tmp_path, capsys):
    good = write(tmp_path, rec)
    assert main(["record", "verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "MATCH" in out and "DIFFERS" not in out
    rec["decision"]["flags"] = []
    bad = write(tmp_path, rec, "bad.json")
    assert main(["record", "verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH: content, decision differ." in out
    assert "flags were none, now immediate-safeguarding" in out


def test_cli_verify_with_rules_option(rec, tmp_path, capsys):
    rec["rules"]["id"] = "local-rules"
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    p = write(tmp_path, rec)
    assert main(["record", "verify", str(p)]) == 2
    assert "--rules PATH" in capsys.readouterr().err
    assert main(["record", "verify", str(p), "--rules", str(ROOT / "rules" / "cop-2016.yaml")]) == 0


def test_cli_verify_refuses_files_that_are_not_records(tmp_path, capsys):
    p = tmp_path / "x.json"
    p.write_text('{"schema": "sexting-triage/record/1",\n "rules": 3}')
    assert main(["record", "verify", str(p)]) == 2
    assert "rules" in capsys.readouterr().err
    p.write_text("[1, 2")
    assert main(["record", "show", str(p)]) == 2
    assert f"{p}:1:" in capsys.readouterr().err


def test_show_text_markdown_html(rec, tmp_path, capsys):
    p = write(tmp_path, rec)
    assert main(["record", "show", str(p), "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "CAD-77/26" in out and "the content matches its sha256" in out
    assert "How old is the youngest child pictured?" in out
    assert main(["record", "show", str(p), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Decision record") and "| 3 | How old is the youngest" in md
    assert "- [ ] " in md
    assert main(["record", "show", str(p), "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert html.startswith("<!DOCTYPE html>") and "immediate-safeguarding" in html
    assert "Standard" in html or "Investigation" in html
    assert main(["record", "show", str(p), "--format", "pdf"]) == 2


def test_html_and_markdown_escape_everything(rec, tmp_path, capsys):
    rec["decision"]["reasons"][0]["text"] = "<script>alert(1)</script> | **x** [l](http://e)"
    rec["questions"][0]["text"] = '"><img src=x onerror=alert(1)>'
    p = write(tmp_path, rec)
    assert main(["record", "show", str(p), "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&quot;&gt;&lt;img" in html
    assert "does not match its sha256" in html  # edited after writing
    assert main(["record", "show", str(p), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "\\<script\\>" in md and "\\*\\*x\\*\\*" in md and "\\|" in md


def test_terminal_show_strips_escape_sequences(rec, tmp_path, capsys):
    rec["incident_ref"] = "\x1b]0;owned\x07REF-1"
    p = write(tmp_path, rec)
    assert main(["record", "show", str(p)]) == 0
    out = capsys.readouterr().out
    assert "\x1b]0" not in out and "REF-1" in out


def test_write_never_overwrites(rec, tmp_path):
    p = tmp_path / "r.json"
    records.write(p, rec)
    assert records.load(p)["sha256"] == rec["sha256"]
    assert (p.stat().st_mode & 0o777) == 0o600
    with pytest.raises(UsageError, match="never overwritten"):
        records.write(p, rec)
    with pytest.raises(UsageError, match="never overwritten"):
        records.check_target(p)
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")  # dangling: would create the target
    with pytest.raises(UsageError, match="symbolic link"):
        records.check_target(link)
    with pytest.raises(UsageError, match="symbolic link"):
        records.write(link, rec)
    assert not (tmp_path / "elsewhere.json").exists()


def test_cli_verify_json(rec, tmp_path, capsys):
    p = write(tmp_path, rec)
    assert main(["record", "verify", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "sexting-triage/record-verify/1" and doc["match"] is True
    assert [x["name"] for x in doc["parts"]] == ["content", "provenance", "answers", "decision"]
    rec["answers"]["malicious_intent"] = "yes"
    p = write(tmp_path, rec, "edited.json")
    assert main(["record", "verify", str(p), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["match"] is False
    assert {x["name"] for x in doc["parts"] if not x["ok"]} == {"content", "decision"}


@pytest.mark.parametrize("body", ["[" * 100_000, '{"n": ' + "9" * 5000 + "}"])
def test_hostile_json_is_an_input_error(tmp_path, capsys, body):
    p = tmp_path / "x.json"
    p.write_text(body)
    assert main(["record", "verify", str(p)]) == 2
    err = capsys.readouterr().err
    assert "not a decision record" in err and "Traceback" not in err


def test_show_gives_the_officer_decision_and_signature(cop2016, tmp_path, capsys):
    d = decide(cop2016, ANSWERS)
    other = next(p for p in cop2016.pathways if p != d.pathway)
    rec = records.build(d, officer={"decision": other, "reason": "facts-disputed"})
    p = write(tmp_path, rec)
    for fmt in ("text", "markdown", "html"):
        assert main(["record", "show", str(p), "--format", fmt, "--no-color"]) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert f"chose {other} instead" in out and "facts are disputed" in out
        assert "not signed" in out


# ----------------------------------------------------------------------------- record notes


@pytest.fixture
def notes_renderer(monkeypatch):
    """A stand-in for render.notes (written elsewhere): records what it was given."""
    import sys
    import types

    seen = []
    mod = types.ModuleType("sexting_triage.render.notes")

    def render_notes(record, fmt):
        seen.append((record["sha256"], fmt))
        return f"# Case notes ({fmt})\n{record['incident_ref']}\n"

    mod.render_notes = render_notes
    monkeypatch.setitem(sys.modules, "sexting_triage.render.notes", mod)
    return seen


def test_record_notes_to_stdout_and_to_a_new_private_file(rec, tmp_path, capsys,
                                                          notes_renderer):
    p = write(tmp_path, rec)
    assert main(["record", "notes", str(p), "--format", "html"]) == 0
    assert capsys.readouterr().out == "# Case notes (html)\nCAD-77/26\n"
    out = tmp_path / "notes.md"
    assert main(["record", "notes", str(p), "--output", str(out)]) == 0
    assert "case notes written to" in capsys.readouterr().err
    assert out.read_text() == "# Case notes (markdown)\nCAD-77/26\n"
    assert (out.stat().st_mode & 0o777) == 0o600
    assert notes_renderer == [(rec["sha256"], "html"), (rec["sha256"], "markdown")]
    # never written over; never through a link; a bad format is a usage error
    assert main(["record", "notes", str(p), "--output", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    assert main(["record", "notes", str(p), "--output", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere.md").exists()
    assert main(["record", "notes", str(p), "--format", "pdf"]) == 2


def test_record_notes_without_the_renderer_says_so(rec, tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sexting_triage.render.notes", None)
    p = write(tmp_path, rec)
    assert main(["record", "notes", str(p)]) == 2
    err = capsys.readouterr().err
    assert "case notes are not available" in err and "Traceback" not in err
