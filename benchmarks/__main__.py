"""Run every benchmark: ``python -m benchmarks`` (or one: ``python -m benchmarks frister``).

Each ``benchmarks/bench_<name>.py`` has a ``main()`` that prints its figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    options = [a for a in argv if a.startswith("-")]
    sys.argv = [sys.argv[0], *options]  # options such as --quick go to the benchmark itself
    argv = [a for a in argv if not a.startswith("-")]
    wanted = [f"bench_{a}" if not a.startswith("bench_") else a for a in argv] or names
    for name in wanted:
        if name not in names:
            print(f"unknown benchmark {name}; have: {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
