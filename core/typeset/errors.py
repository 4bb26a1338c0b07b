"""The one exception type of the text engine: a code and its parameters, no sentence.

Callers that show errors to people (flyers, reports) map ``code`` to a translated
message of their own; nothing needs to read ``str(error)``, which is only for logs
and tracebacks.
"""


class TypesetError(ValueError):
    """The engine cannot do what was asked with this input.

    ``code`` is a short stable identifier (e.g. ``"qr_too_long"``); ``params`` are the
    values a message for it may name (e.g. ``{"max_bytes": 1200}``). Subclasses of
    ValueError, so code that guards a bad value with ``except ValueError`` still works."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __reduce__(self):
        # Subclasses take other arguments: rebuild from the state, not by calling __init__.
        return _restore, (type(self), self.__dict__)

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} " + ", ".join(f"{key}={value!r}" for key, value in sorted(self.params.items()))


def _restore(cls, state):
    error = cls.__new__(cls)
    Exception.__init__(error, state["code"])
    error.__dict__.update(state)
    return error
