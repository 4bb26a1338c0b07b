"""Errors of flyer rendering: codes and parameters, translated by ``flyers.render.user_message``."""

import functools

from core.typeset import TypesetError


class FlyerLayoutError(TypesetError):
    """The flyer cannot be produced from this input.

    ``code`` says why and ``params`` hold the values a message may name;
    ``flyers.render.user_message`` turns them into a translated message. Errors of
    the text engine met while making a flyer surface as this class, same code."""


class FlyerOverflowError(FlyerLayoutError):
    """A text does not fit its box even at the smallest allowed size
    (``code="does_not_fit"``), or is far too long to try (``code="too_long"``).

    ``field`` names the offending FlyerSpec field (e.g. ``"body_ar"``) and
    ``page_size`` the paper it was laid out for."""

    def __init__(self, code: str, field: str = "", page_size: str = "", **params):
        super().__init__(code, field=field, page_size=page_size, **params)
        self.field = field
        self.page_size = page_size


def as_layout_errors(func):
    """Engine errors (``TypesetError``) raised by ``func`` surface as FlyerLayoutError, same code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FlyerLayoutError:
            raise
        except TypesetError as exc:
            raise FlyerLayoutError(exc.code, **exc.params) from exc

    return wrapper
