"""Writing a file so that readers see the old one or the whole new one, never half.

The one place Hamla writes files that someone reads later (render cache, PDFs
written by commands, contact exports): a temporary file beside the target, then
``os.replace``, which is atomic within one file system. Beside, not in /tmp,
because a rename across file systems is a copy and no longer atomic.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

# Owner-only by default: these files may be exports of personal data, and a
# world-readable mode on a shared machine would hand them to every local user.
PRIVATE = 0o600


@contextmanager
def atomic_open(path, mode="wb", *, permissions=PRIVATE, **open_kwargs):
    """Open a temporary file beside `path`; on a clean exit it replaces `path` whole.

    Guarantees: `path` is either untouched (an exception inside the block removes
    the temporary file) or holds exactly what was written, with `permissions`.
    `mode` is "wb" or "w" (then `encoding`/`newline` pass through to ``open``)."""
    if mode not in ("wb", "w"):
        raise ValueError("atomic_open writes a whole file: mode is 'wb' or 'w'")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, permissions)
        with os.fdopen(fd, mode, **open_kwargs) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path, data: bytes, *, permissions=PRIVATE):
    """Write `data` to `path` through `atomic_open`."""
    with atomic_open(path, "wb", permissions=permissions) as out:
        out.write(data)
