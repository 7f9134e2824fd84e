"""render.diffout and render.diffchanges: the change note shows old and new words for every
reworded item, says what each percentage is of, and no text from a rule file can become raw
HTML, a heading, a table row, a code span or a link (issue 12.6, 13.2)."""

from __future__ import annotations

import re

import pytest

from rulesets_small import base, load
from sexting_triage.diff import diff
from sexting_triage.render.diffout import diff_markdown, diff_text
from sexting_triage.render.markup import md_code, md_text

HOSTILE = ("x\n# Injected heading\n| a | b |\n<script>alert(1)</script> <img src=x onerror=y>"
           " `code` [link](javascript:alert(1)) **bold** \u202eevil\u2066 \x1b[31mred"
           " &amp; <!-- change-note:end -->")


def _pair(tmp_path):
    old = base()
    new = base()
    new["version"] = "2.0"
    new["title"] = "New " + HOSTILE
    new["summary"] = HOSTILE
    new["sources"]["SRC"]["title"] = "Source " + HOSTILE
    new["sources"]["NEW"] = {"title": HOSTILE, "date": HOSTILE}
    q = new["questions"][0]
    q["text"] = "Image? " + HOSTILE
    q["help"] = HOSTILE
    new["questions"][2]["choices"][1]["label"] = "Wide " + HOSTILE
    r = new["rules"][4]
    r["reason"] = "Malice. " + HOSTILE
    r["actions"] = [{"text": HOSTILE, "when": "now"}]
    r["cite"] = [{"source": "NEW", "section": HOSTILE}]
    new["pathways"][0]["title"] = "Full " + HOSTILE
    new["pathways"][0]["summary"] = HOSTILE
    new["flags"][0]["title"] = "Judge " + HOSTILE
    new["changelog"] = [{"version": "2.0", "date": "2026", "changes": [HOSTILE]}]
    new["invariants"] = [{"id": "inv", "kind": "implies", "description": HOSTILE,
                          "when": 'malice == "yes"', "pathway_in": ["full", "standard"]}]
    return load(tmp_path, old, "a.yaml"), load(tmp_path, new, "b.yaml")


HEADINGS = {"# Change note:", "## Summary", "## What changed in the rules", "### Metadata",
            "### Sources", "### Questions", "### Rules", "### Pathways", "### Flags",
            "### Recording", "### Changelog", "### Invariants",
            "## Which situations get a different outcome", "## Sign-off"}


def test_hostile_text_never_becomes_markdown_markup(tmp_path):
    old, new = _pair(tmp_path)
    md = diff_markdown(diff(old, new))
    fence = False
    rows = 0
    for line in md.splitlines():
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            assert re.fullmatch(r"[\w\s\"=!<>\[\],:.()-]*", line), line  # conditions, answers
            continue
        if line.startswith("#"):
            assert any(line.startswith(h) for h in HEADINGS) or re.match(
                r"### `\w+` → `\w+` \(|### flag `\w+`", line), line
        if line.startswith("|"):
            rows += 1
        assert "<" not in line and ">" not in line.replace("→", "").replace(" > ", ""), line
        assert "\u202e" not in line and "\x1b" not in line and "\n" not in line
        # no code span or link built from file text: every backtick pair holds an id,
        # a condition or a hash
        for span in re.findall(r"(?<!\\)`([^`]*)(?<!\\)`", line):
            assert "script" not in span and "javascript" not in span, line
        assert not re.search(r"(?<!\\)\]\(", line), line  # no link
    assert rows == 6 + 4  # the rule-set table and the sign-off table, nothing else
    # the words are all there, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\# Injected heading \\| a \\| b \\|" in md
    assert "\\`code\\` \\[link\\](javascript:alert(1)) \\*\\*bold\\*\\*" in md
    assert "&amp;amp;" in md and "&lt;!-- change-note:end --&gt;" in md


def test_reworded_items_show_old_and_new_words(tmp_path):
    old, new = _pair(tmp_path)
    md = diff_markdown(diff(old, new))
    lines = md.splitlines()

    def after(head: str) -> list[str]:
        i = next(n for n, ln in enumerate(lines) if ln.startswith(f"- {head}"))
        return lines[i + 1:i + 3]

    was, now = after("changed `imagery`: question reworded")
    assert was == '  - was: "Image?"' and now.startswith('  - now: "Image? x \\# Injected')
    was, now = after("changed `malice`: reason reworded")
    assert was == '  - was: "Malice."' and now.startswith('  - now: "Malice. x')
    was, now = after("`full`: title changed")
    assert was == '  - was: "Full"' and now.startswith('  - now: "Full x')
    was, now = after("`judge`: title changed")
    assert was == '  - was: "Judge"'
    was, now = after("changed `extent`: answer `wide` relabelled")
    assert was == '  - was: "Wide"' and now.startswith('  - now: "Wide x')
    was, now = after("changed `SRC`: title changed")
    assert was == '  - was: "Source"'
    assert any(ln.startswith("- changed `malice`: action added") for ln in lines)
    assert any(ln.startswith("- changed `malice`: citation changed") for ln in lines)
    assert any(ln.startswith("- summary changed") for ln in lines)


def test_every_percentage_names_its_whole(tmp_path, capsys):
    data = base()
    next(r for r in data["rules"] if r["id"] == "young-wide")["when"] = (
        'age < 14 and extent == "wide"')
    rep = diff(load(tmp_path, base(), "a.yaml"), load(tmp_path, data, "b.yaml"))
    md = diff_markdown(rep)
    pcts = re.findall(r"\d+(?:\.\d+)?% [^.;)]*", md)
    assert pcts and all(p.endswith(f"of the {rep.behaviour.total:,} situations compared")
                        for p in pcts), pcts

    from sexting_triage.render.terminal import console

    diff_text(console(), rep)
    out = capsys.readouterr().out
    pcts = re.findall(r"\d+(?:\.\d+)?% [^;)\n]*", out)
    assert pcts and all("of the 163 situations compared" in p for p in pcts), pcts


@pytest.mark.parametrize(("text", "md"), [
    ("a|b", "a\\|b"), ("# h", "\\# h"), ("<b>", "&lt;b&gt;"), ("`x`", "\\`x\\`"),
    ("one\ntwo\r\nthree", "one two three"), ("a\u202eb\u200bc", "abc"), ("x & y", "x &amp; y"),
    ("[a](b)", "\\[a\\](b)"), ("back\\slash", "back\\\\slash"),
])
def test_markdown_text_escapes(text, md):
    assert md_text(text) == md


def test_markdown_code_spans_only_for_plain_ids():
    assert md_code("cop-2024") == "`cop-2024`"
    assert md_code("a`b") == "a\\`b"


def test_terminal_text_is_one_line_and_inert(tmp_path, capsys):
    from sexting_triage.render.terminal import console

    old, new = _pair(tmp_path)
    diff_text(console(), diff(old, new))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert not any(ln.startswith("# Injected") for ln in out.splitlines())
    assert "was: \"Image?\"" in out


def test_the_note_says_outright_whether_any_situation_gets_a_lower_pathway(tmp_path):
    up = base()
    next(r for r in up["rules"] if r["id"] == "young-wide")["when"] = (
        'age < 14 and extent == "wide"')
    md = diff_markdown(diff(load(tmp_path, base(), "a.yaml"), load(tmp_path, up, "b.yaml")))
    assert "- No situation gets a lower pathway." in md
    assert "- No situation loses a flag." in md
    down = base()
    down["rules"] = [r for r in down["rules"] if r["id"] not in ("malice", "malice-unknown")]
    rep = diff(load(tmp_path, base(), "a.yaml"), load(tmp_path, down, "c.yaml"))
    md = diff_markdown(rep)
    # malice yes: standard -> light wherever young-wide does not give full
    n = next(g.count for g in rep.behaviour.transitions if (g.old, g.new) == ("standard",
                                                                              "light"))
    assert f"- {n:,} situation(s) get a lower pathway" in md
    lost = next(g.count for g in rep.behaviour.flag_changes if g.old == "judge")
    assert f"- Flags no longer raised: `judge` in {lost:,} situation(s)." in md
