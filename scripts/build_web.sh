#!/usr/bin/env bash
# Builds the web front end into the Python package (src/dancecoach/web_dist).
# The API types and the skeleton bone list are generated from the server, never retyped.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m dancecoach.api.openapi_dump > web/src/api/openapi.json
.venv/bin/python scripts/dump_bones.py > web/src/lib/bones.generated.ts
cd web
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts --silent
npm run --silent build
