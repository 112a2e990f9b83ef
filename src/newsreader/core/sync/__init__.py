"""Sync with aggregator servers: Google Reader API (``greader``), Fever (``fever``) and Tiny Tiny RSS
(``ttrss``) clients, HTTP through :mod:`newsreader.core.fetch` only, returning the frozen values of
:mod:`newsreader.core.sync.models`; ``service`` puts one interface over the three, ``conflicts`` holds
the conflict rules and ``engine`` one account's sync.

Nothing is imported here, so that the storage can use the conflict values without loading the network
stack (read-only commands never import ``requests``)."""
