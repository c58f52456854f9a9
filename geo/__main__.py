"""``python -m geo``: the Zone Atlas command line."""

import sys

from geo.cli import main

sys.exit(main())
