"""Static files taken from npm packages: only the files pages load, not whole packages.

A package's build folder also holds sources, type declarations, Sass and thousands of source maps that no page
loads; collecting them all made `collectstatic` compress about 60 MB and take over a minute. Each entry of
settings.STATIC_NODE_FILES is (URL prefix, folder, glob patterns relative to the folder; `*` matches across `/`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage


class NodeModulesFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.entries = [
            (prefix, Path(root), tuple(patterns)) for prefix, root, patterns in settings.STATIC_NODE_FILES
        ]
        self.storages: dict[str, FileSystemStorage] = {}
        for prefix, root, _ in self.entries:
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix  # type: ignore[attr-defined]  # collectstatic and WhiteNoise read it
            self.storages[prefix] = storage

    @cached_property
    def files(self) -> dict[str, list[str]]:
        """Each prefix's chosen files, relative to its folder."""
        chosen: dict[str, list[str]] = {}
        for prefix, root, patterns in self.entries:
            names: list[str] = []
            for folder, _, filenames in os.walk(root):
                for filename in filenames:
                    name = (Path(folder) / filename).relative_to(root).as_posix()
                    if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
                        names.append(name)
            chosen[prefix] = sorted(names)
        return chosen

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        for prefix, root, patterns in self.entries:
            for pattern in patterns:
                if not any(fnmatch.fnmatchcase(name, pattern) for name in self.files[prefix]):
                    errors.append(
                        checks.Warning(
                            f"No file in {root} matches {pattern!r} (static prefix {prefix!r}).",
                            hint="Run `npm ci` (or `make install`), or set CULTIVATE_NODE_MODULES.",
                            id="cultivate.W001",
                        )
                    )
        return errors

    def find(self, path: str, find_all: bool = False) -> Any:
        found: list[str] = []
        for prefix, root, _ in self.entries:
            if path.startswith(prefix + "/") and path[len(prefix) + 1 :] in self.files[prefix]:
                match = str(root / path[len(prefix) + 1 :])
                if not find_all:
                    return match
                found.append(match)
        return found  # as Django's finders do: an empty list when nothing matches

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        patterns = list(ignore_patterns or [])
        for prefix, _, _ in self.entries:
            for name in self.files[prefix]:
                if not utils.matches_patterns(name, patterns):
                    yield name, self.storages[prefix]
