"""A few objects kept in this process for a few seconds: the rows every request of a burst
reads and nobody changes during it (the ask a viral petition's POSTs answer).

Why not Django's cache: with Redis it is a round trip and a pickle per read, which is what
a database read already costs. Here a read is a dict lookup. The price is staleness: another
process's change is seen up to `seconds` late, so keep only what may be that late, and clear
it on this process's own changes (`clear`, from a post_save signal)."""

import copy
import threading
import time


class Recent:
    """Values by key for `seconds` each, at most `size` of them (all are dropped when a new
    key would make one more: a flood of distinct keys cannot grow it)."""

    def __init__(self, seconds, size=256):
        self.seconds, self.size = seconds, size
        self._values = {}
        self._lock = threading.Lock()

    def get(self, key, load):
        """A shallow copy of the value kept for `key`, or of `load()`'s (kept unless None,
        so a miss is asked again next time). A copy: callers may set attributes on it."""
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and kept[0] > now:
            return copy.copy(kept[1])
        value = load()
        if value is not None:
            with self._lock:
                if len(self._values) >= self.size:
                    self._values.clear()
                self._values[key] = (now + self.seconds, value)
            return copy.copy(value)
        return None

    def clear(self, *args, **kwargs):
        """Forget everything (takes a signal's arguments)."""
        with self._lock:
            self._values.clear()
