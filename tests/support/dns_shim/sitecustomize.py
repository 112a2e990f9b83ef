"""Loaded by the ``newsreader`` processes a test starts with this folder on ``PYTHONPATH``: plays a
name server for made-up hosts, as ``$NEWSREADER_TEST_DNS`` (a JSON file) describes —

- ``slow``: hosts under these suffixes never get an answer (a name server that does not reply);
- ``fail``: hosts under these suffixes do not exist;
- ``down``: hosts under these suffixes get "try again" (``EAI_AGAIN``), as without a network;
- ``loopback``: hosts under these suffixes are 127.0.0.1;
- ``log``: a file that gets one line per look-up (the host asked for).

Every other name goes to the real resolver.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from typing import Any

_CONFIG = os.environ.get("NEWSREADER_TEST_DNS")

if _CONFIG:
    with open(_CONFIG, encoding="utf-8") as handle:
        _RULES: dict[str, Any] = json.load(handle)
    _real = socket.getaddrinfo
    _never = threading.Event()
    _lock = threading.Lock()

    def _under(host: str, key: str) -> bool:
        return any(host == s or host.endswith("." + s) for s in _RULES.get(key, ()))

    def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if _RULES.get("log") and not name.replace(".", "").isdigit():
            with _lock, open(_RULES["log"], "a", encoding="utf-8") as log:
                log.write(name + "\n")
        if _under(name, "slow"):
            _never.wait()
        if _under(name, "fail"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if _under(name, "down"):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if _under(name, "loopback"):
            return _real("127.0.0.1", port, *args, **kwargs)
        return _real(host, port, *args, **kwargs)

    socket.getaddrinfo = _getaddrinfo
