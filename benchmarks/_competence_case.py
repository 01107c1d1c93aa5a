"""CASE import of a 5,000-item framework (called by benchmarks/competence.py).

The parent writes a synthetic CASE 1.1 package (20 domains, 200 sub-domains and 4,780 competences joined by
isChildOf with sequence numbers, and crosswalks to the Care Certificate and Code of Conduct), then imports it three
times, each in a child process on a fresh SQLite file database (settings `local`, migrated first), timing only the
import (read, check and write, in one transaction).

    bench case_import_5000_items_s      median of 3 imports, each on a fresh database (wall clock)
    bench case_import_5000_items_cpu_s  the same imports' CPU time (what they cost on a processor of their own)
    bench case_import_items             items imported
    bench case_import_associations      associations imported (hierarchy and crosswalks)

Then, in the same child, the imported framework's next version: a draft copied from it (every item and
association), one competence reworded, the publish preview (the diff and what it means for sign-offs and
requirements) and publishing (which computes the preview again, retires the old version and moves requirements).

    bench case_draft_5000_items_s       median time to copy the published version into a draft
    bench case_publish_preview_5000_items_s  median time for the publish page's preview
    bench case_publish_5000_items_s     median time to publish the draft
    bench case_*_5000_items_cpu_s       the same steps' CPU time
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import django_env, run_child

ITEMS, RUNS = 5000, 3


def _child(workdir: Path, package: Path) -> dict[str, Any]:
    database = workdir / f"case-{len(list(workdir.glob('*.sqlite3')))}.sqlite3"
    env = django_env(workdir, database)
    return run_child("benchmarks._competence_case", str(package), env=env)


def run() -> None:
    from cultivate.frameworks.case.synthetic import synthetic_package  # plain Python: no Django needed here

    with tempfile.TemporaryDirectory(prefix="cultivate-bench-case-") as temp:
        workdir = Path(temp)
        package = workdir / "framework.json"
        package.write_text(json.dumps(synthetic_package(ITEMS)), encoding="utf-8")
        print(f"bench case_import_file_mb: {package.stat().st_size / 1024 / 1024:.1f} MB", flush=True)
        runs = [_child(workdir, package) for _ in range(RUNS)]
        seconds = [r["seconds"] for r in runs]
        print(f"bench case_import_runs_s: {' '.join(f'{s:.2f}' for s in seconds)} s", flush=True)
        print(f"bench case_import_5000_items_s: {statistics.median(seconds):.2f} s", flush=True)
        # The process's own CPU time: what the import costs when it does not share the processor.
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        print(f"bench case_import_5000_items_cpu_s: {cpu:.2f} s", flush=True)
        print(f"bench case_import_items: {runs[0]['items']} items", flush=True)
        print(f"bench case_import_associations: {runs[0]['associations']} associations", flush=True)
        print(f"bench case_import_queries: {max(r['queries'] for r in runs)} queries", flush=True)
        for name in ("draft", "publish_preview", "publish"):
            figure = statistics.median(r[f"{name}_seconds"] for r in runs)
            print(f"bench case_{name}_5000_items_s: {figure:.2f} s", flush=True)
            cpu = statistics.median(r[f"{name}_cpu_seconds"] for r in runs)
            print(f"bench case_{name}_5000_items_cpu_s: {cpu:.2f} s", flush=True)


# Below runs in the child process, with Django set up on its own fresh database.


def _import_child(path: str) -> dict[str, Any]:
    import time

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cultivate.core.audit import AuditContext
    from cultivate.frameworks.case.services import case_import
    from cultivate.organisations.models import Organisation

    organisation = Organisation.objects.create(ods_code="RXB", name="Benchmark Trust", kind="mental_health")
    data = Path(path).read_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        outcome = case_import(
            data=data,
            actor=None,
            ctx=AuditContext.system("benchmark"),
            organisation=organisation,
            filename=Path(path).name,
        )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if not outcome.ok:
        raise SystemExit("\n".join(str(p) for p in outcome.problems[:20]))
    assert outcome.framework is not None
    published = _publish_timings(outcome.framework)
    return {
        **published,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "items": outcome.items,
        "associations": outcome.associations,
        "queries": len(queries.captured_queries),
    }


def _publish_timings(framework: Any) -> dict[str, float]:
    import time

    from cultivate.core.audit import AuditContext
    from cultivate.frameworks import selectors, services
    from cultivate.frameworks.models import Competence, NodeType

    ctx = AuditContext.system("benchmark")
    started, cpu_started = time.perf_counter(), time.process_time()
    draft = services.version_draft_create(framework=framework, ctx=ctx)
    drafted, cpu_drafted = time.perf_counter(), time.process_time()
    item = Competence.objects.filter(version=draft, node_type=NodeType.COMPETENCE).order_by("pk").first()
    assert item is not None
    services.competence_update(competence=item, title=f"{item.title} (reworded)", code=item.code, ctx=ctx)
    preview_started, cpu_preview_started = time.perf_counter(), time.process_time()
    preview = selectors.version_publish_preview(version=draft)
    previewed, cpu_previewed = time.perf_counter(), time.process_time()
    services.version_publish(version=draft, ctx=ctx)
    published, cpu_published = time.perf_counter(), time.process_time()
    assert len(preview.diff.changed) == 1
    return {
        "draft_seconds": drafted - started,
        "publish_preview_seconds": previewed - preview_started,
        "publish_seconds": published - previewed,
        "draft_cpu_seconds": cpu_drafted - cpu_started,
        "publish_preview_cpu_seconds": cpu_previewed - cpu_preview_started,
        "publish_cpu_seconds": cpu_published - cpu_previewed,
    }


if __name__ == "__main__":
    print(json.dumps(_import_child(sys.argv[1])))
