"""Run every benchmark in turn; each prints its own figures and ratios."""

from __future__ import annotations

import importlib

BENCHMARKS = ("bench.judgement", "bench.extraction", "bench.music", "bench.load")


def main() -> None:
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        module.main()


if __name__ == "__main__":
    main()
