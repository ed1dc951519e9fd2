"""The Report a validation returns, and renderers that turn it into text: pure functions Report -> str."""

from dataprep.report.model import FileReport, Report

__all__ = ["FileReport", "Report"]
