"""Old home of the arrow-key prompter: it now lives in `sexting_triage.prompt.arrows`."""

from __future__ import annotations

from sexting_triage.prompt.accessible import option_hint
from sexting_triage.prompt.arrows import ArrowPrompter

__all__ = ["ArrowPrompter", "option_hint"]
