"""Print the OpenAPI document as JSON for the web client generator.

Run as `python -m dancecoach.api.openapi_dump`.
"""

from __future__ import annotations

import sys

import orjson

from dancecoach.api.app import create_app


def main() -> None:
    schema = create_app().openapi()
    sys.stdout.write(
        orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
