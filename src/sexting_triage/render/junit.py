"""Scenario check results as JUnit XML, for CI dashboards.

One <testsuite> per rule set checked; one <testcase> per scenario, named by its file (and
position in a list) and title. A failure carries every failure sentence; a scenario with no
expectation for that rule set is <skipped>; warnings go to <system-err>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from sexting_triage.render.safe import clean

if TYPE_CHECKING:
    from sexting_triage.scenarios.check import ScenarioResult

_XML_BAD = {c: None for c in range(32) if c not in (9, 10, 13)}


def _s(value: object) -> str:
    """Text that XML 1.0 can carry (control characters and escapes removed)."""
    return clean(value).translate(_XML_BAD)


def junit_xml(results: list[ScenarioResult], name: str = "sexting-triage scenarios") -> str:
    """The results as one JUnit XML document (UTF-8 text with an XML declaration)."""
    root = ET.Element("testsuites", name=name)
    suites: dict[str, list[ScenarioResult]] = {}
    for r in results:
        suites.setdefault(r.ruleset.id, []).append(r)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rs_id, group in suites.items():
        rs = group[0].ruleset
        failures = sum(1 for r in group if r.status == "failed")
        skipped = sum(1 for r in group if r.status == "not-checked")
        suite = ET.SubElement(root, "testsuite", name=f"scenarios [{rs_id}]",
                              tests=str(len(group)), failures=str(failures), errors="0",
                              skipped=str(skipped), time="0")
        props = ET.SubElement(suite, "properties")
        for k, v in (("rules.id", rs.id), ("rules.version", rs.version),
                     ("rules.sha256", rs.sha256)):
            ET.SubElement(props, "property", name=k, value=_s(v))
        for r in group:
            case = ET.SubElement(suite, "testcase", classname=f"scenarios.{rs_id}",
                                 name=_s(f"{r.scenario.name}: {r.scenario.title}"),
                                 file=_s(r.scenario.path), time="0")
            if r.status == "failed":
                el = ET.SubElement(case, "failure", message=_s(r.failures[0]), type="failed")
                el.text = _s("\n".join(r.failures))
            elif r.status == "not-checked":
                ET.SubElement(case, "skipped", message=_s(
                    f"no expectation for rule set {rs_id}"))
            if r.warnings:
                ET.SubElement(case, "system-err").text = _s("\n".join(r.warnings))
        totals["tests"] += len(group)
        totals["failures"] += failures
        totals["skipped"] += skipped
    for k, n in totals.items():
        root.set(k, str(n))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
