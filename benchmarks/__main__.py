"""Discover the benchmark groups in this package and run them all, or the one named with --only."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType


def discover() -> dict[str, ModuleType]:
    groups: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        group, run = getattr(module, "GROUP", None), getattr(module, "run", None)
        if isinstance(group, str) and callable(run):
            if group in groups:
                raise SystemExit(f"Two benchmark modules call their group {group!r}.")
            groups[group] = module
    return groups


def main(argv: list[str] | None = None) -> int:
    groups = discover()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", choices=sorted(groups), help="run only this group")
    args = parser.parse_args(argv)
    chosen = [args.only] if args.only else sorted(groups)
    failed = []
    for name in chosen:
        print(f"# {name}", flush=True)
        started = time.perf_counter()
        try:
            groups[name].run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"# {name} finished in {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"Benchmark groups failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
