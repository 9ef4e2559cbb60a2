"""The packages' entry points: every name in an `__all__` loads, and loading one module of a
package does not drag in the rest (an analysis process stays free of web and database code)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = [
    "dancecoach.pose",
    "dancecoach.estimation",
    "dancecoach.estimation.models",
    "dancecoach.scoring",
    "dancecoach.scoring.music",
    "dancecoach.coaching",
    "dancecoach.storage",
    "dancecoach.accounts",
    "dancecoach.jobs",
    "dancecoach.library",
    "dancecoach.practice",
    "dancecoach.live",
    "dancecoach.live.workers",
    "dancecoach.memory",
    "dancecoach.offline",
    "dancecoach.api",
    "dancecoach.api.routes",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_entry_point_loads(name: str) -> None:
    package = importlib.import_module(name)
    assert package.__all__, f"{name} names its entry points"
    for entry in package.__all__:
        assert getattr(package, entry) is not None, f"{name}.{entry}"
    with pytest.raises(AttributeError):
        _ = package.no_such_entry_point


def test_an_analysis_process_imports_no_web_or_database_code() -> None:
    probe = (
        "import sys; import dancecoach.live.workers.process; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'openai') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
