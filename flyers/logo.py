"""Logo uploads: the checks live in `core.images` (the organisation's logo uses them too)."""

from core.images import MAX_LOGO_BYTES, MAX_LOGO_SIDE, STORED_SIDE, clean_logo

__all__ = ["MAX_LOGO_BYTES", "MAX_LOGO_SIDE", "STORED_SIDE", "clean_logo"]
