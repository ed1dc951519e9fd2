"""`dataprep export --to TRAINER`: data in an open-weight trainer's shape plus the configuration that loads it."""

from dataprep.conversion.trainers.configs import TrainerOptions
from dataprep.conversion.trainers.run import ExportReport, export_for_trainer
from dataprep.conversion.trainers.shapes import TRAINERS

__all__ = ["TRAINERS", "ExportReport", "TrainerOptions", "export_for_trainer"]
