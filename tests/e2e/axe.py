"""axe-core in the page (web/node_modules/axe-core): the accessibility violations of what is
on screen, for the browser tests."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.browser import SCREENSHOTS
from tests.footage import PROJECT_ROOT

AXE_SCRIPT = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# What a user of assistive technology cannot get past; "moderate" and "minor" are reported.
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


def axe_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Every violation on the page now (also written to artifacts/screenshots/axe-NAME.json)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    violations: list[dict[str, Any]] = page.evaluate(_RUN)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=1))
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]
