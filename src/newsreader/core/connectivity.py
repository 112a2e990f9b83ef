"""Telling a network that is down from feeds that are: the rule by which a refresh calls itself offline.

A refresh without a network sees every feed fail; marking each one failed (and pausing its server)
would leave a warning on every feed for a fault of the computer's. A refresh is **offline** when:

1. no server answered anything — any HTTP answer, an error status included, a TLS handshake or a
   read that started, shows the network carries requests;
2. every request that ended failed before reaching its server (see
   :func:`newsreader.core.fetch.failures.never_reached`: the name did not resolve, the connection was
   refused, reset or aborted before an answer, no route, it did not open in time);
3. those failures span enough servers (``host:port``) that a few dead servers cannot explain them:
   at least :data:`OFFLINE_SERVERS` distinct ones, or every server of the refresh when it asks
   fewer — and then at least one failure must point at this computer's network (no route to any
   network, network down, a name server that did not answer or said "try again"), since one or two
   dead servers refuse connections and have names that do not exist just as a missing network does;
4. and every request started so far has ended that way: once 3 holds, no new request starts until
   those in flight end, and any answer among them ends the suspicion (the held-back failures are
   then recorded as the per-feed failures they are).

So a few dead servers among many that answer never read as offline, whatever order the answers
come in: the live servers' requests are in flight when the dead ones fail, and one answer settles
it. The rule is newsreader's own; the distinction between "the network" and "the server" comes from
the operating system's errors (``getaddrinfo``'s ``EAI_AGAIN`` against ``EAI_NONAME``, and
``ENETUNREACH``/``ENETDOWN`` against ``ECONNREFUSED``/``EHOSTUNREACH``, POSIX and RFC 3493), the way
browsers tell "no internet" pages from "site can't be reached" ones.

A network **lost** in the middle of a refresh (a train entering a tunnel): once servers have
answered, failures that point at this computer's network (point 3's kind) are held back too, and
when they span :data:`OFFLINE_SERVERS` distinct servers with no answer since, the refresh is offline
from there: no new request starts, the feeds not reached are left as they were and their servers are
not paused. Any answer ends the suspicion and the held failures are the feeds' own. Failures that
point at a server (refused, a name that does not exist) never count here: dead feeds among live ones
stay their own failures.

Its limits: a refresh of three or more servers that are all dead at once, while the network works,
reads as offline (nothing is marked; the next refresh asks again); so do three servers whose name
servers fail one after another while no other server answers in between.
"""

from __future__ import annotations

from enum import Enum

OFFLINE_SERVERS = 3
"""Distinct servers that must all fail to connect, with nothing answering, before the failures are
put down to the network (fewer only when the refresh asks fewer servers; see the module's rule)."""

OFFLINE_MESSAGE = "Offline: no feed could be reached; nothing was marked as failed."
"""What a refresh that found the network down says, once."""

LOST_MESSAGE = "Offline: the network was lost during the refresh; the feeds not reached were left as they were."
"""What a refresh that lost the network after servers had answered says, once."""


class Network(Enum):
    """What a refresh knows of the network so far."""

    UNKNOWN = "unknown"
    """Nothing has answered yet, and the failures do not (yet) rule out a few dead servers."""
    SUSPECT = "suspect"
    """Enough servers failed to connect with nothing answering: wait for the requests in flight."""
    UP = "up"
    """A server answered: every failure from now on is the feed's own."""


class NetworkCheck:
    """Applies the module's rule to one refresh's outcomes, fed in the order they finish.

    *servers* is the number of distinct servers (``host:port``) the refresh will ask. Not thread-safe:
    the writer thread feeds it.
    """

    def __init__(self, servers: int) -> None:
        self.servers = servers
        self.state = Network.UNKNOWN
        self._failed: set[str] = set()
        self._network_kind = False
        self._since_answer: set[str] = set()
        self.lost = False
        """The network was found down after servers had answered (lost in the middle)."""

    def answered(self) -> None:
        """A server answered (a feed was stored, not modified, or failed with the server's answer)."""
        self.state = Network.UP
        self.lost = False
        self._since_answer.clear()

    def unreached(self, server: str, *, network: bool) -> None:
        """A request to *server* failed before reaching it; *network* when the error points at this
        computer's network rather than at the server."""
        if self.state is Network.UP:
            if network:
                self._since_answer.add(server)
                if len(self._since_answer) >= OFFLINE_SERVERS:
                    self.state, self.lost = Network.SUSPECT, True
            return
        self._failed.add(server)
        self._network_kind = self._network_kind or network
        enough = len(self._failed) >= OFFLINE_SERVERS or (
            len(self._failed) >= min(OFFLINE_SERVERS, self.servers) and self._network_kind
        )
        if enough:
            self.state = Network.SUSPECT

    @property
    def undecided(self) -> bool:
        """Failures to connect are held back, not recorded: no server has answered yet, or failures
        pointing at the network came after the last answer."""
        return self.state is not Network.UP or bool(self._since_answer)

    def holds(self, *, network: bool) -> bool:
        """Whether a failure to reach a server (*network*: pointing at this computer's network) is held
        back rather than recorded now."""
        return self.state is not Network.UP or (network and bool(self._since_answer))

    @property
    def offline(self) -> bool:
        """The failures so far are the network's, once the requests in flight have ended as failures."""
        return self.state is Network.SUSPECT
