"""`rules graph` (Mermaid and DOT) and `rules schema`: the committed schema matches the models,
the bundled rule files point editors at it and validate against it."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import ROOT
from sexting_triage.cli import main
from sexting_triage.loader import resolve
from sexting_triage.serialize import ruleset_file_schema

BUNDLED = ["cop-2016", "cop-2024"]


@pytest.mark.parametrize("rid", BUNDLED)
def test_mermaid_chart_has_every_question_pathway_and_flag(capsys, rid):
    assert main(["rules", "graph", rid]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == "flowchart TD"
    rs = resolve(rid)
    for q in rs.questions:
        assert re.search(rf"^  q_{q.id}\[", out, re.M), q.id
    for p in rs.precedence:
        assert f"[{p}]" in out
    for f in rs.flags:
        assert f"[{f}]" in out
    # skipped questions have a yes/no test before them; no raw quotes inside labels
    assert 'ask_atypical_or_violent{"sexual_acts == #quot;yes#quot;"}' in out
    edges = [ln for ln in lines if "-->" in ln or "-.->" in ln]
    declared = {m.group(1) for ln in lines if (m := re.match(r"^  (\w+)[\[({/]", ln))}
    for e in edges:
        src, dst = e.split()[0], e.split()[-1]
        assert src in declared and dst in declared, e


def test_dot_chart_is_well_formed(capsys):
    assert main(["rules", "graph", "cop-2024", "--format", "dot"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "digraph ruleset {" and out.rstrip().endswith("}")
    assert out.count("{") == out.count("}")
    assert "q_financial_sextortion [label=" in out
    assert 'ask_atypical_or_violent -> q_atypical_or_violent [label="yes"];' in out
    # every quote inside a label is escaped
    for line in out.splitlines():
        if "label=" in line:
            body = line.split("label=", 1)[1]
            assert re.fullmatch(r'"(?:[^"\\]|\\.)*"(?:, [^;]*)?\];', body), line
    assert main(["rules", "graph", "cop-2024", "--format", "png"]) == 2


def test_committed_schema_matches_the_models(capsys):
    assert main(["rules", "schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    committed = json.loads((ROOT / "schema" / "ruleset.schema.json").read_text())
    assert printed == committed == ruleset_file_schema(), (
        "schema/ruleset.schema.json is stale: run `sexting-triage rules schema > "
        "schema/ruleset.schema.json`")
    assert committed["$defs"]["Invariant"]["properties"]["from"]


@pytest.mark.parametrize("rid", BUNDLED)
def test_bundled_files_point_at_the_schema_and_validate(rid):
    jsonschema = pytest.importorskip("jsonschema")
    path = ROOT / "rules" / f"{rid}.yaml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/ruleset.schema.json"
    assert (path.parent / "../schema/ruleset.schema.json").resolve().is_file()
    schema = json.loads((ROOT / "schema" / "ruleset.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(path.read_text()))
    bad = yaml.safe_load(path.read_text())
    bad["status"] = "retired"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)


# ----------------------------------------------------------------------------- the policy guide


POLICY = ROOT / "docs" / "policy-staff.md"


def _demote(md: str, levels: int = 2) -> str:
    out, fence = [], False
    for line in md.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("#"):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def expected_sections() -> dict[str, str]:
    """What the generated parts of docs/policy-staff.md must be, from the tool itself."""
    from sexting_triage.diff import diff
    from sexting_triage.graph import chart
    from sexting_triage.render.diffout import diff_markdown
    from sexting_triage.render.graph import mermaid

    note = diff_markdown(diff(resolve("cop-2016"), resolve("cop-2024")))
    out = {"change-note": "\n" + _demote(note.rstrip("\n")) + "\n\n"}
    for rid in BUNDLED:
        out[f"chart:{rid}"] = "\n```mermaid\n" + mermaid(chart(resolve(rid))) + "```\n\n"
    return out


def _section(text: str, name: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_policy_guide_shows_the_real_change_note_and_charts():
    text = POLICY.read_text(encoding="utf-8")
    for name, body in expected_sections().items():
        assert _section(text, name) == body, (
            f"docs/policy-staff.md section {name} is stale: run "
            "`python tests/test_graph_schema.py` to regenerate it")


if __name__ == "__main__":  # regenerate the generated sections of docs/policy-staff.md
    text = POLICY.read_text(encoding="utf-8")
    for name, body in expected_sections().items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        text = head + start + body + end + rest.split(end, 1)[1]
    POLICY.write_text(text, encoding="utf-8")
