"""A synthetic national workforce extract (DATA-FORMATS layout) calibrated to the published figures in
shared/design/CALIBRATION.md: `generate(out, people=..., years=..., seed=...)`. Separate from the demo alliance;
see docs/insights-import.md."""

from .generator import CSV, DEFAULT_END, PARQUET, GenerateReport, description, generate, parameters

__all__ = ["CSV", "DEFAULT_END", "PARQUET", "GenerateReport", "description", "generate", "parameters"]
