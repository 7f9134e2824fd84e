"""Old home of the plain prompter: it now lives in `sexting_triage.prompt.accessible`."""

from __future__ import annotations

from sexting_triage.prompt.accessible import (
    BACK,
    BACK_WORDS,
    OK_WORDS,
    WHY,
    WHY_WORDS,
    Nav,
    PlainPrompter,
    Prompter,
    ReviewItem,
    option_hint,
    parse_reply,
)

__all__ = ["BACK", "BACK_WORDS", "OK_WORDS", "WHY", "WHY_WORDS", "Nav", "PlainPrompter",
           "Prompter", "ReviewItem", "option_hint", "parse_reply"]
