"""Django's PostgreSQL backend with a health check that asks the server nothing.

settings.py turns on Django's CONN_HEALTH_CHECKS so that a persistent connection the server
dropped (a restart, a terminated backend, an idle timeout) is replaced before a request or
a task uses it, instead of failing it. Django checks with a `SELECT 1`: a round trip to the
server at the start of every request, the same as a quarter of a signature's own statements
(`manage.py bench signatures`).

A server that drops a connection says so on its socket: PostgreSQL sends a FATAL error
(57P01, "terminating connection due to administrator command") and closes it, and a
crashed one resets it. An idle connection otherwise has nothing to read: psycopg reads every
answer whole, and Hamla does not LISTEN. So a zero-timeout poll of the socket tells a dropped
connection from a live one with one system call. What it cannot see is a path that died
without a word (a cable cut between two machines, no FIN nor RST): the first statement then
fails, and Django closes that connection at the end of the request (close_if_unusable_or_obsolete,
which keeps the `SELECT 1`). The embedded default (SQLite) has no server to lose.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return
        if self.connection.closed or _peer_has_spoken(self.connection.fileno()):
            self.close()
        self.health_check_done = True


def _peer_has_spoken(fd):
    """Whether the server sent something (an error, the end of the stream) on an idle socket."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
