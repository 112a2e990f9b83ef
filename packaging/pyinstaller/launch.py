"""The frozen program's entry point: the `newsreader` command (the app when run without a command)."""

import multiprocessing
import sys

from newsreader.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # parsing worker processes start from this executable too
    sys.exit(main())
