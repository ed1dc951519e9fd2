"""`python -m dataprep`."""

import sys

from dataprep.cli import main

sys.exit(main())
