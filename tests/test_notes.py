"""Case notes from a record alone, in National Decision Model order, as Markdown and as one
self-contained HTML page (escaped, no scripts or external resources, A4 print stylesheet),
checked in a real headless browser where one is installed."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from sexting_triage import engine, loader, records
from sexting_triage.render.notes import render_notes

ROOT = Path(__file__).resolve().parents[1]
NDM = ["1. Information", "2. Assessment of threat and risk", "3. Powers and policy",
       "4. Options", "5. Decision and action", "6. Review"]
HOSTILE = ('<script>alert(1)</script> <img src=x onerror=alert(1)> [link](http://evil.example) '
           '# heading | cell | **bold** `code` \x1b[2J\u202eevil')


def a_record(officer=None) -> dict:
    rs = loader.resolve("cop-2024")
    answers: dict = {}
    while (q := engine.next_question(rs, answers)) is not None:
        answers[q.id] = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14,
                         "immediate_risk": "yes", "sharing_extent": "widely",
                         "shared_without_consent": "yes"}.get(q.id, "no")
    d = engine.decide(rs, answers)
    return records.build(d, "CAD-1234/26", officer=officer)


def hostile(rec: dict) -> dict:
    rec = copy.deepcopy(rec)
    rec["rules"]["title"] = HOSTILE
    rec["questions"][0]["text"] = HOSTILE
    rec["decision"]["reasons"][0]["text"] = HOSTILE
    rec["decision"]["reasons"][0]["cite"][0]["section"] = HOSTILE
    rec["decision"]["actions"][0]["text"] = HOSTILE
    rec["decision"]["pathway"]["title"] = HOSTILE
    return rec


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_ndm_order_and_everything_a_supervisor_needs(fmt):
    rec = a_record({"decision": "full-investigation", "reason": "supervisor-direction"})
    out = render_notes(rec, fmt)
    text = re.sub(r"<[^>]+>", "", out) if fmt == "html" else out
    where = [text.index(h) for h in NDM]
    assert where == sorted(where)
    assert "Investigation (Outcome 21 not available)" in text.replace("\\", "")
    assert "a supervisor directed this pathway" in text  # the officer's decision
    for r in rec["decision"]["reasons"]:
        assert r["text"].split()[0] in text
    assert "CoP-current" in text  # citations
    assert rec["rules"]["sha256"] in text and rec["sha256"] in text  # provenance
    assert "officer judgement, supervision and force policy come first" in text
    actions = [a["text"] for a in rec["decision"]["actions"]]
    if fmt == "markdown":
        boxes = [ln for ln in out.splitlines() if ln.startswith("- [ ] ")]
        assert len(boxes) == len(actions) + 1  # and the supervisor's review
    else:
        assert out.count("<li>") >= len(actions)
        assert 'class="checklist"' in out


def test_urgent_flag_comes_first_in_the_assessment():
    md = render_notes(a_record(), "markdown")
    part = md[md.index("## 2."):md.index("## 3.")]
    assert part.index("URGENT: A child is, or may be, at immediate risk: act now") < part.index(
        "Supports the pathway")
    assert "immediate-safeguarding" not in part.split("Supports the pathway")[0]  # no raw id


def test_flags_say_what_they_mean_and_old_records_still_read():
    """A flag is named by its rule's headline (not yet known) or its title, never by its id;
    a record made before flag details were kept shows the id, urgent flags first."""
    rs = loader.resolve("cop-2024")
    answers: dict = {}
    while (q := engine.next_question(rs, answers)) is not None:
        answers[q.id] = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14,
                         "immediate_risk": "unknown", "sharing_extent": "not_shared"
                         }.get(q.id, "no")
    rec = records.build(engine.decide(rs, answers), "CAD-1234/26")
    for fmt in ("markdown", "html"):
        out = render_notes(rec, fmt)
        assert "URGENT: Not yet known: establish now whether the child is safe" in out
        assert "Flag: Officer judgement needed" in out
    old = copy.deepcopy(rec)
    del old["decision"]["flag_details"]
    old["decision"]["flags"] = ["professional-judgement", "immediate-safeguarding"]
    out = render_notes(old, "markdown")
    assert out.index("URGENT: immediate-safeguarding") < out.index("Flag: professional-judgement")


def test_officer_agreement_and_no_officer_decision():
    assert "agrees with the recommendation" in render_notes(a_record({"decision": "agree"}),
                                                           "markdown")
    assert "Not recorded in this record." in render_notes(a_record(), "markdown")


def test_markdown_escapes_file_text():
    out = render_notes(hostile(a_record()), "markdown")
    assert "<script>" not in out and "<img" not in out
    assert not re.search(r"(?<!\\)\]\(", out) and "http://" not in out  # no link made
    assert not any(ln.startswith("# heading") for ln in out.splitlines())
    table = [ln for ln in out.splitlines() if ln.startswith("| ")]
    assert all(len(re.findall(r"(?<!\\)\|", ln)) == 3 for ln in table), table[:3]
    assert "\x1b" not in out and "\u202e" not in out


def test_html_is_one_self_contained_escaped_page():
    out = render_notes(hostile(a_record()), "html")
    assert out.startswith("<!DOCTYPE html>")
    assert "<script" not in out.lower()
    assert "<img" not in out.lower()
    assert "&lt;script&gt;" in out
    assert not re.search(r"<[^>]*\b(src|href)\s*=", out, re.I)  # no resource or link
    assert "@import" not in out and "url(" not in out
    assert "@page { size: A4" in out and "@media print" in out
    assert "\x1b" not in out and "\u202e" not in out


def test_old_records_with_plain_string_actions():
    rec = a_record()
    rec["decision"]["actions"] = [a["text"] for a in rec["decision"]["actions"]]
    out = render_notes(rec, "markdown")
    assert "**Next**" in out and out.count("- [ ] ") == len(rec["decision"]["actions"]) + 1


def test_a_broken_record_still_renders():
    for fmt in ("markdown", "html"):
        assert "1. Information" in render_notes({"decision": "x", "questions": [1, None]}, fmt)


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run_browser(args: list[str]) -> subprocess.CompletedProcess[str]:
    exe = _browser()
    assert exe is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(_browser() is None, reason="no headless browser installed")
def test_html_in_a_real_browser(tmp_path):
    page = tmp_path / "notes.html"
    page.write_text(render_notes(hostile(a_record({"decision": "agree"})), "html"),
                    encoding="utf-8")
    r = _run_browser(["--dump-dom", page.as_uri()])
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    body = re.sub(r"<[^>]+>", " ", dom)
    for heading in NDM:
        assert heading in body
    assert "<script>alert(1)</script>" in body.replace("&lt;", "<").replace("&gt;", ">")
    assert "<script" not in dom.lower()  # the hostile text stayed text
    pdf = tmp_path / "notes.pdf"
    r = _run_browser([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()])
    data = pdf.read_bytes() if pdf.exists() else b""
    assert data.startswith(b"%PDF"), r.stderr[-2000:]
    # printed on A4 (595 x 842 points), as the print stylesheet asks
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1
                         for w, h in boxes), boxes
    # one self-contained page: nothing it shows is fetched from elsewhere
    assert not re.search(r"<(img|script|link|iframe)\b[^>]*(src|href)=", dom, re.I)
