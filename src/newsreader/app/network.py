"""Whether the computer is online, from the platform (Qt's QNetworkInformation: NetworkManager, GLib,
Windows' and macOS' own services), so that a refresh without a network says "offline" once, leaves
every feed's state as it was, and starts by itself when the network returns."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation

Reachability = QNetworkInformation.Reachability


class NetworkWatch(QObject):
    """:attr:`online` is False only when the platform says the network is down (an unknown state, or
    no backend, counts as online: the refresh then finds out). :attr:`back_online` is emitted when it
    comes back."""

    back_online = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reachability = Reachability.Unknown
        info = None
        if QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
            info = QNetworkInformation.instance()
        if info is not None:
            self._reachability = info.reachability()
            info.reachabilityChanged.connect(self.reachability_changed)

    @property
    def online(self) -> bool:
        """False when the platform reports no network (or only the local one)."""
        return self._reachability not in (Reachability.Disconnected, Reachability.Local)

    def reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        """The platform's news (connected to its signal)."""
        was_online = self.online
        self._reachability = reachability
        if self.online and not was_online:
            self.back_online.emit()
