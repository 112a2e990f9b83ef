"""newsreader: an offline-first feed reader.

The Qt-free library lives in :mod:`newsreader.core`; :mod:`newsreader.cli` and
:mod:`newsreader.app` are its two clients.
"""

__version__ = "0.1.0"
