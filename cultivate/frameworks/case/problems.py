"""A problem found in a CASE package: where it is (a JSON path such as `$.CFItems[12].fullStatement`) and what
is wrong there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def key_path(path: str, key: str) -> str:
    """The JSON path of `key` inside the object at `path`; keys that are not plain names are quoted."""
    if key.isidentifier():
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


def index_path(path: str, index: int) -> str:
    return f"{path}[{index}]"
