"""Allow `python -m sexting_triage`."""

from sexting_triage.cli import main

raise SystemExit(main())
