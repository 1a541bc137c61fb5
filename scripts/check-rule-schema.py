#!/usr/bin/env python3
"""Validates every rules/*.yml against schemas/rule.schema.json (the published rule format).

The Rust loader is the authority at run time; this keeps the published schema honest: a field
the loader accepts but the schema lacks (or the reverse) fails CI.
"""
import glob
import json
import sys

import jsonschema
import yaml

schema = json.load(open("schemas/rule.schema.json", encoding="utf-8"))
problems = 0
files = sorted(glob.glob("rules/*.yml"))
for path in files:
    try:
        jsonschema.validate(yaml.safe_load(open(path, encoding="utf-8")), schema)
    except jsonschema.ValidationError as error:
        problems += 1
        print(f"{path}: {error.message} at {'/'.join(map(str, error.absolute_path))}")
print(f"rule schema: {len(files) - problems}/{len(files)} rules valid")
sys.exit(1 if problems else 0)
