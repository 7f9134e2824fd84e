"""render.graph: Mermaid and DOT written from rule-file text that tries to inject markup or
directives (issue 12.6). Each output is parsed back line by line with a strict grammar of what
the writers produce: every line is a node, an edge or one of the writer's own fixed lines, the
counts are those of the chart, and no label holds a character that could end it."""

from __future__ import annotations

import re

import pytest

from rulesets_small import base, load
from sexting_triage.cli import main
from sexting_triage.graph import Chart, Edge, Node, chart
from sexting_triage.render.graph import dot, dot_text, mermaid, mermaid_text
from sexting_triage.render.markup import one_line

# what a rule file might hold to break out of a label or start a directive
HOSTILE = [
    'x"] --> start\n  click q_a href "javascript:alert(1)"',
    "a\n%%{init: {'theme': 'dark', 'securityLevel': 'loose'}}%%",
    "line\r\nstyle start fill:#f00",
    'b"];\n  evil [label="x", URL="http://x"];\n  start -> evil;\n//',
    "sub\u2028subgraph X\u2029end",
    "<b>html</b> <img src=x onerror=alert(1)> & #quot; `md` **bold**",
    "\u202eevil\u2066 \u200bzero \x1b[31mred\x1b[0m \x00nul \x85nel",
    "|pipe| {brace} [bracket] ;semi \\back\\ \\n \\l",
    "classDef pathway fill:red\nlinkStyle 0 stroke:red",
]

DIRECTIVE = re.compile(r"^\s*(click|style|classDef|class|linkStyle|subgraph|end|direction|"
                       r"%%\{|graph|flowchart|digraph|node|edge|strict|href|URL)\b", re.I)

MM_NODE = re.compile(r'^  ([A-Za-z_]\w*)(\(\["|\["|\{"|\{\{"|\[/")([^"\n]*)'
                     r'("\]\)|"\]|"\}|"\}\}|"/\])$')
MM_EDGE = re.compile(r'^  ([A-Za-z_]\w*) (-->|-\.->)(\|"[^"|\n]*"\|)? ([A-Za-z_]\w*)$')
MM_FIXED = {"flowchart TD", "  classDef pathway stroke-width:3px"}
MM_CLASS = re.compile(r"^  class [A-Za-z_]\w*(,[A-Za-z_]\w*)* pathway$")

DOT_STR = r'"(?:[^"\\\n]|\\.)*"'
DOT_NODE = re.compile(rf"^  ([A-Za-z_]\w*) \[label={DOT_STR}, shape=\w+\];$")
DOT_EDGE = re.compile(rf"^  ([A-Za-z_]\w*) -> ([A-Za-z_]\w*)"
                      rf"( \[(label={DOT_STR}(, style=dashed)?|style=dashed)\])?;$")
DOT_FIXED = {"digraph ruleset {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];', "}"}


def parse_mermaid(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    lines = text.splitlines()
    assert lines[0].startswith("%% chart: ") and "\n" not in lines[0]
    nodes, edges = [], []
    for line in lines[1:]:
        if line in MM_FIXED or MM_CLASS.match(line):
            continue
        if m := MM_NODE.match(line):
            body = m.group(3)
            assert re.fullmatch(r"[A-Za-z0-9 .,:;()\[\]_'?!/=+*@#-]*", body), line
            nodes.append(m.group(1))
        elif m := MM_EDGE.match(line):
            edges.append((m.group(1), m.group(4)))
        else:
            raise AssertionError(f"not a line the Mermaid writer makes: {line!r}")
    return nodes, edges


def parse_dot(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    lines = text.splitlines()
    assert lines[0].startswith("// chart: ")
    nodes, edges = [], []
    for line in lines[1:]:
        if line in DOT_FIXED:
            continue
        if m := DOT_NODE.match(line):
            nodes.append(m.group(1))
        elif m := DOT_EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            raise AssertionError(f"not a line the DOT writer makes: {line!r}")
    return nodes, edges


def hostile_chart(text: str) -> Chart:
    c = Chart(text)
    for n, shape in enumerate(("start", "question", "test", "pathway", "flag", "decide")):
        c.nodes.append(Node(f"n{n}", text, shape))
    c.edges += [Edge("n0", "n1", text), Edge("n1", "n2"), Edge("n2", "n3", text, dashed=True),
                Edge("n3", "n4", dashed=True)]
    return c


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_labels_and_titles_stay_inside_their_labels(text):
    c = hostile_chart(text)
    for write, parse in ((mermaid, parse_mermaid), (dot, parse_dot)):
        out = write(c)
        nodes, edges = parse(out)
        assert nodes == [n.id for n in c.nodes]
        assert edges == [(e.src, e.dst) for e in c.edges]
        assert not re.search(r"[\u202a-\u202e\u2066-\u2069\u200b\u2028\u2029\x00-\x08\x1b\x85]",
                             out)
        for line in out.splitlines()[1:]:
            if DIRECTIVE.match(line):  # only the writer's own fixed lines
                assert line in MM_FIXED | DOT_FIXED or MM_CLASS.match(line), line


def test_an_unsafe_node_id_is_refused_not_written():
    c = Chart("t", [Node('a"];evil', "x", "question")])
    with pytest.raises(ValueError):
        mermaid(c)
    with pytest.raises(ValueError):
        dot(c)


def test_label_escapes_keep_the_words():
    assert mermaid_text('say "hi" <b> # → é') == "say #quot;hi#quot; #60;b#62; #35; #8594; #233;"
    assert dot_text('a "b" \\n') == '"a \\"b\\" \\\\n"'
    assert one_line("a\n\tb\u2028c\u202ed\u200be") == "a b cde"


def _hostile_rules(tmp_path):
    data = base()
    data["title"] = HOSTILE[1]
    data["version"] = "1.0\nclick start href \"x\""
    for q, text in zip(data["questions"], HOSTILE[2:], strict=False):
        q["text"] = text
        q["help"] = text
    data["pathways"][0]["title"] = HOSTILE[0]
    data["flags"][0]["title"] = HOSTILE[5]
    return load(tmp_path, data, "hostile.yaml")


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_hostile_rule_file_through_the_cli(tmp_path, capsys, fmt):
    rs = _hostile_rules(tmp_path)
    c = chart(rs)
    assert main(["rules", "graph", rs.path, "--format", fmt]) == 0
    out = capsys.readouterr().out
    nodes, edges = (parse_mermaid if fmt == "mermaid" else parse_dot)(out)
    assert len(nodes) == len(c.nodes) == len(set(nodes))
    assert len(edges) == len(c.edges)
    assert set(nodes) >= {a for e in edges for a in e}


def test_ids_that_differ_only_in_dash_and_underscore_get_two_nodes(tmp_path):
    data = base()
    data["questions"].append({"id": "a-b", "text": "One?"})
    data["questions"].append({"id": "a_b", "text": "Two?"})
    c = chart(load(tmp_path, data))
    qs = [n.id for n in c.nodes if n.shape == "question"]
    assert len(qs) == len(set(qs)) == 6
    nodes, _ = parse_dot(dot(c))
    assert len(nodes) == len(set(nodes))
