"""Board reports asked for on the web and made by the worker (docs/insights-report.md)."""
