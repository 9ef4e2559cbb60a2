"""Package entry points that load on first use.

A process that runs one module (an analysis process, the CLI) then imports that module's
dependencies only, not the whole package's: MediaPipe, SQLAlchemy and OpenAI stay out of the
processes that do not need them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, modules: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` (PEP 562) for `package`: names -> the submodule defining them."""

    def load(name: str) -> Any:
        if name in modules:
            return getattr(importlib.import_module(f"{package}.{modules[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return load
