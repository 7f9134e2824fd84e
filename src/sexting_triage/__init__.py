"""sexting-triage: decision support for police responses to youth-produced sexual imagery.

The tool recommends; officers decide. Every result names the rule-set edition that produced it
and cites the guidance behind every reason.
"""

__version__ = "0.1.0"
