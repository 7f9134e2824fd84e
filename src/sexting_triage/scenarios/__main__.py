"""`python -m sexting_triage.scenarios > schema/scenario.schema.json` regenerates the schema."""

import json

from sexting_triage.scenarios.format import json_schema

print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
