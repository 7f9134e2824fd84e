"""Flowchart writers: a `graph.Chart` as Mermaid or Graphviz DOT text.

Every label, title and id comes from a rule file, and rule files are shared between forces and
edited by hand. Nothing in them may become markup or a directive: every text is made one line
(newlines and other separators become spaces), control, bidi and other format characters are
dropped, and what is left is written only inside a quoted label with every character that could
close the quotes or start markup escaped (Mermaid: `#NNN;` entity codes for everything but
letters, digits and plain punctuation; DOT: backslash escapes). Node ids are written only in the
safe form `graph` gives them and are checked again here. So no `click`, `href`, `style`,
`classDef`, `%%{init}`, subgraph, node or edge can come from a file.
"""

from __future__ import annotations

import re

from sexting_triage.graph import Chart
from sexting_triage.render.markup import one_line

_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# characters left as they are in a Mermaid label: everything else becomes an entity code
_MM_PLAIN = re.compile(r"[A-Za-z0-9 .,:;()\[\]_'?!/=+*@-]")
_MM_NAMED = {'"': "#quot;"}


def _id(nid: str) -> str:
    if not _SAFE_ID.fullmatch(nid):
        raise ValueError(f"unsafe node id {nid!r}")
    return nid


# ----------------------------------------------------------------------------- Mermaid


def mermaid_text(text: str) -> str:
    """A Mermaid label body (written between double quotes): plain characters as they are,
    every other character as an entity code (`#quot;`, `#35;`, `#8594;`)."""
    return "".join(ch if _MM_PLAIN.fullmatch(ch) else _MM_NAMED.get(ch, f"#{ord(ch)};")
                   for ch in one_line(text))


_MM_SHAPE = {"start": '(["{}"])', "question": '["{}"]', "test": '{{"{}"}}',
             "pathway": '(["{}"])', "flag": '{{{{"{}"}}}}', "decide": '[/"{}"/]'}


def mermaid(c: Chart) -> str:
    # `%% ` then text: a comment; with the space it can never be read as a `%%{` directive
    lines = [f"%% chart: {one_line(c.title)}", "flowchart TD"]
    for n in c.nodes:
        lines.append(f"  {_id(n.id)}" + _MM_SHAPE[n.shape].format(mermaid_text(n.label)))
    for e in c.edges:
        arrow = "-.->" if e.dashed else "-->"
        label = f'|"{mermaid_text(e.label)}"|' if e.label else ""
        lines.append(f"  {_id(e.src)} {arrow}{label} {_id(e.dst)}")
    lines.append("  classDef pathway stroke-width:3px")
    paths = [_id(n.id) for n in c.nodes if n.shape == "pathway"]
    if paths:
        lines.append(f"  class {','.join(paths)} pathway")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- DOT


def dot_text(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, one line."""
    return '"' + one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPE = {"start": "oval", "question": "box", "test": "diamond", "pathway": "doubleoctagon",
              "flag": "hexagon", "decide": "parallelogram"}


def dot(c: Chart) -> str:
    lines = [f"// chart: {one_line(c.title)}", "digraph ruleset {", "  rankdir=TB;",
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for n in c.nodes:
        lines.append(f"  {_id(n.id)} [label={dot_text(n.label)}, shape={_DOT_SHAPE[n.shape]}];")
    for e in c.edges:
        attrs = []
        if e.label:
            attrs.append(f"label={dot_text(e.label)}")
        if e.dashed:
            attrs.append("style=dashed")
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_id(e.src)} -> {_id(e.dst)}{tail};")
    lines.append("}")
    return "\n".join(lines) + "\n"
