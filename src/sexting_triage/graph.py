"""The questionnaire and its outcomes as a flowchart (Mermaid or Graphviz DOT).

Questions in the order asked; a diamond before each question that has an `ask_when` (yes:
ask it, no: skip it); a diamond after the question where an `ends_questionnaire` rule can
stop the questions; then the decision: every pathway with the rules that raise it (highest
precedence first), and the flags with the rules that raise them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sexting_triage.ruleset import RuleSet

MAX_LABEL = 80


@dataclass
class Node:
    id: str
    label: str
    shape: str  # start | question | test | pathway | flag | decide


@dataclass
class Edge:
    src: str
    dst: str
    label: str = ""
    dashed: bool = False


@dataclass
class Chart:
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _nid(kind: str, ident: str) -> str:
    return f"{kind}_{ident}".replace("-", "_")


def chart(rs: RuleSet) -> Chart:
    """The flowchart of one rule set, as nodes and edges."""
    c = Chart(f"{rs.id} {rs.version}: {rs.title}")
    c.nodes.append(Node("start", "Start", "start"))
    pending: list[tuple[str, str]] = [("start", "")]  # edges waiting for the next node

    def link(dst: str) -> None:
        for src, label in pending:
            c.edges.append(Edge(src, dst, label))
        pending.clear()

    stops: dict[int, list] = {}
    for idx, r in rs.stop_rules:
        stops.setdefault(idx, []).append(r)
    added_pathways: set[str] = set()

    def pathway_node(pid: str) -> str:
        nid = _nid("p", pid)
        if pid not in added_pathways:
            added_pathways.add(pid)
            p = rs.pathways[pid]
            c.nodes.append(Node(nid, f"{p.title} [{pid}]", "pathway"))
        return nid

    def add_stops(n: int) -> None:
        for r in stops.get(n, []):
            sid = _nid("stop", r.id)
            c.nodes.append(Node(sid, _short(r.when_text), "test"))
            link(sid)
            c.edges.append(Edge(sid, pathway_node(r.pathway or ""), f"yes ({r.id})"))
            pending.append((sid, "no"))

    add_stops(-1)
    for n, q in enumerate(rs.questions):
        qid = _nid("q", q.id)
        if q.ask_when_text:
            tid = _nid("ask", q.id)
            c.nodes.append(Node(tid, _short(q.ask_when_text), "test"))
            link(tid)
            c.edges.append(Edge(tid, qid, "yes"))
            pending.append((tid, "no"))
            c.nodes.append(Node(qid, f"{q.id}: {_short(q.text)}", "question"))
        else:
            c.nodes.append(Node(qid, f"{q.id}: {_short(q.text)}", "question"))
            link(qid)
        pending.append((qid, ""))
        add_stops(n)
    c.nodes.append(Node("decide", "Decide: the highest-precedence pathway raised by any rule "
                                  "that applies; every reason is kept", "decide"))
    link("decide")
    for pid in rs.precedence:
        ids = [r.id for r in rs.rules if r.pathway == pid]
        if ids:
            c.edges.append(Edge("decide", pathway_node(pid), _short(", ".join(ids), 200)))
    for fid, f in rs.flags.items():
        ids = [r.id for r in rs.rules if r.flag == fid]
        nid = _nid("f", fid)
        c.nodes.append(Node(nid, f"flag: {f.title} [{fid}]", "flag"))
        if ids:
            c.edges.append(Edge("decide", nid, _short(", ".join(ids), 200), dashed=True))
    return c


# ----------------------------------------------------------------------------- formats


def _mm(text: str) -> str:
    """Mermaid label text: quotes, brackets and bars as Mermaid entity codes."""
    out = text.replace("#", "#35;")
    for ch, code in (('"', "#quot;"), ("<", "#60;"), (">", "#62;"), ("|", "#124;"),
                     ("&", "#38;")):
        out = out.replace(ch, code)
    return out


_MM_SHAPE = {"start": '(["{}"])', "question": '["{}"]', "test": '{{"{}"}}',
             "pathway": '(["{}"])', "flag": '{{{{"{}"}}}}', "decide": '[/"{}"/]'}


def mermaid(c: Chart) -> str:
    lines = [f"%% {c.title}", "flowchart TD"]
    for n in c.nodes:
        lines.append(f"  {n.id}" + _MM_SHAPE[n.shape].format(_mm(n.label)))
    for e in c.edges:
        arrow = "-.->" if e.dashed else "-->"
        label = f'|"{_mm(e.label)}"|' if e.label else ""
        lines.append(f"  {e.src} {arrow}{label} {e.dst}")
    lines.append("  classDef pathway stroke-width:3px")
    paths = [n.id for n in c.nodes if n.shape == "pathway"]
    if paths:
        lines.append(f"  class {','.join(paths)} pathway")
    return "\n".join(lines) + "\n"


def _dq(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPE = {"start": "oval", "question": "box", "test": "diamond", "pathway": "doubleoctagon",
              "flag": "hexagon", "decide": "parallelogram"}


def dot(c: Chart) -> str:
    lines = [f"// {c.title}", "digraph ruleset {", "  rankdir=TB;",
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for n in c.nodes:
        lines.append(f"  {n.id} [label={_dq(n.label)}, shape={_DOT_SHAPE[n.shape]}];")
    for e in c.edges:
        attrs = []
        if e.label:
            attrs.append(f"label={_dq(e.label)}")
        if e.dashed:
            attrs.append("style=dashed")
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {e.src} -> {e.dst}{tail};")
    lines.append("}")
    return "\n".join(lines) + "\n"
