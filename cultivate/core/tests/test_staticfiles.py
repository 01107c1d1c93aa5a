"""The npm files collected as static files: only those chosen, found under their prefix, and a warning when a
chosen file is missing (an `npm ci` not run)."""

from __future__ import annotations

from pathlib import Path

from cultivate.core.staticfiles import NodeModulesFinder


def test_only_the_chosen_npm_files_are_collected(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build = tmp_path / "pkg" / "build"
    (build / "sub").mkdir(parents=True)
    for name in ("a.min.js", "a.min.js.map", "a.d.ts", "sub/x.js", "README.md"):
        (build / name).write_text("//")
    settings.STATIC_NODE_FILES = [
        ("vendor/a", build, ["a.min.js*", "sub/*"]),
        ("vendor/b", tmp_path / "not-installed", ["b.js"]),
    ]
    finder = NodeModulesFinder()

    listed = [(name, getattr(storage, "prefix", None)) for name, storage in finder.list(None)]
    assert listed == [("a.min.js", "vendor/a"), ("a.min.js.map", "vendor/a"), ("sub/x.js", "vendor/a")]
    assert [name for name, _ in finder.list(["*.map"])] == ["a.min.js", "sub/x.js"]
    assert finder.find("vendor/a/sub/x.js") == str(build / "sub" / "x.js")
    assert finder.find("vendor/a/a.d.ts") == [] and finder.find("vendor/a/sub") == []
    assert finder.find("vendor/a/a.min.js", find_all=True) == [str(build / "a.min.js")]

    (warning,) = finder.check()
    assert warning.id == "cultivate.W001" and "'b.js'" in warning.msg
