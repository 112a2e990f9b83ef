"""The ``newsreader`` command: a client of :mod:`newsreader.core`."""
