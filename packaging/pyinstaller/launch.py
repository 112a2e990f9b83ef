"""The frozen program's entry point, for both executables of the bundle.

``newsreader`` is the command line (and the desktop app when run without a command); ``newsreader-gui``
(a windowed executable on Windows and the macOS app's executable) opens the desktop app.
"""

import multiprocessing
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()  # parsing worker processes start from this executable too
    if Path(sys.executable).stem == "newsreader-gui":
        from newsreader.app.main import main as gui_main

        sys.exit(gui_main())
    from newsreader.cli.main import main

    sys.exit(main())
