"""`python -m sexting_triage.scenarios > schema/scenario.schema.json` regenerates the schema."""

import json

from sexting_triage.serialize import scenario_file_schema

print(json.dumps(scenario_file_schema(), indent=2, ensure_ascii=False))
