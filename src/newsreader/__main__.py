"""``python -m newsreader`` runs the command-line interface."""

import sys

from newsreader.cli.main import main

sys.exit(main())
