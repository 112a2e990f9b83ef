"""One window per library: the first app on a library listens on a local socket named after it; a
second launch on the same library asks the first to come to the front and exits."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000
RAISE = b"raise\n"


def server_name(library_path: str | os.PathLike[str]) -> str:
    """The local socket's name for a library: a digest of its resolved path (short enough for the
    platform's socket-name limits, the same for every spelling of the path) and of the user."""
    resolved = str(Path(library_path).expanduser().resolve())
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    return "newsreader-" + hashlib.sha256(f"{user}\0{resolved}".encode()).hexdigest()[:24]


class SingleInstance(QObject):
    """The running app's end of the socket. :attr:`raise_requested` is emitted when another launch on
    the same library asked this one to show its window."""

    raise_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._accept)
        self._sockets: list[QLocalSocket] = []

    def ask_running_to_raise(self) -> bool:
        """True when an app is already running on this library (it has been asked to come forward)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(RAISE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Start answering later launches; a socket left by a crashed run is removed first."""
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        """Stop listening (on quit)."""
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._sockets.append(socket)
            socket.readyRead.connect(self._read)
        self._read()

    def _read(self) -> None:
        """Answer every connection that has sent its request; forget those that are done."""
        for socket in list(self._sockets):
            if socket.bytesAvailable() and bytes(socket.readAll().data()).startswith(RAISE.strip()):
                self.raise_requested.emit()
                socket.disconnectFromServer()
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._sockets.remove(socket)
