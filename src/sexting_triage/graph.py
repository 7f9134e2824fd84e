"""The questionnaire and its outcomes as a flowchart: the chart as data (nodes and edges).

Questions in the order asked; a diamond before each question that has an `ask_when` (yes:
ask it, no: skip it); a diamond after the question where an `ends_questionnaire` rule can
stop the questions; then the decision: every pathway with the rules that raise it (highest
precedence first), and the flags with the rules that raise them.

The Mermaid and Graphviz DOT writers are output formats and live in `render.graph`; every text
here comes from a rule file and is escaped there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sexting_triage.ruleset import Rule, RuleSet

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


_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_]")


class _Ids:
    """Node ids: letters, digits and `_` only, one per (kind, id), never shared by two."""

    def __init__(self) -> None:
        self.given: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()

    def __call__(self, kind: str, ident: str) -> str:
        key = (kind, ident)
        nid = self.given.get(key)
        if nid is None:
            base = _UNSAFE_ID.sub("_", f"{kind}_{ident}")
            nid, n = base, 1
            while nid in self.used:
                n += 1
                nid = f"{base}_{n}"
            self.given[key] = nid
            self.used.add(nid)
        return nid


def chart(rs: RuleSet) -> Chart:
    """The flowchart of one rule set, as nodes and edges."""
    c = Chart(f"{rs.id} {rs.version}: {rs.title}")
    _nid = _Ids()
    _nid.used.update({"start", "decide"})
    c.nodes.append(Node("start", "Start", "start"))
    pending: list[tuple[str, str]] = [("start", "")]  # edges waiting for the next node

    def link(dst: str) -> None:
        for src, label in pending:
            c.edges.append(Edge(src, dst, label))
        pending.clear()

    stops: dict[int, list[Rule]] = {}
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
