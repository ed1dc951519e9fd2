"""`python -m dataprep`."""

from dataprep.cli import run

run()
