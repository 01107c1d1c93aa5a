"""Importing an ESR-style workforce extract (shared/design/DATA-FORMATS.md) into the insights store.

    report = import_extract(path, store, dataset="national", extract_date=None, progress=None)

reads a folder of CSV files, a folder of Parquet files or an XLSX workbook, checks every rule in DuckDB, and
either writes one dataset (Parquet, zstd) or keeps nothing and lists every problem. See docs/insights-import.md."""

from .importer import (
    IMPORTED,
    REJECTED,
    UNCHANGED,
    ImportReport,
    Progress,
    default_dataset_name,
    import_extract,
)
from .problems import Problem
from .sources import ExtractError

__all__ = [
    "IMPORTED",
    "REJECTED",
    "UNCHANGED",
    "ExtractError",
    "ImportReport",
    "Problem",
    "Progress",
    "default_dataset_name",
    "import_extract",
]
