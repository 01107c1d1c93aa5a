"""Runnable benchmarks: `python -m benchmarks [--only GROUP]` (or `make bench ONLY=GROUP`).

A group is a module here with a `GROUP` name and a `run() -> None` that prints each figure on its own line as
`bench <figure>: <value> <unit>`. Benchmarks measure and print; they never assert on timings."""
