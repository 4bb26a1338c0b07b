"""Whether production would keep its mail on this machine: the rule hamla/settings.py
applies at start-up (so `check --deploy` fails as well), before Django is configured, hence
no Django import here.
"""

# Email backends that keep mail on this machine (or nowhere) instead of sending it: the
# development outbox and Django's own. In production each would silently swallow every
# confirmation and newsletter, or leave them on disk naming their recipients.
LOCAL_EMAIL_BACKENDS = frozenset(
    {
        "core.mail.OutboxBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)

MAIL_ROUTE_MISSING = (
    "Production settings (DEBUG=false) need a real mail route: set EMAIL_HOST (SMTP) or "
    "ANYMAIL_ESP (an email provider), or EMAIL_BACKEND to a backend that sends mail. "
    "Without one, every confirmation and newsletter would be written to disk on this server. "
    "See the configuration table in README.md."
)


def sends_mail_nowhere(debug, email_backend):
    """True when production (not `debug`) would keep its mail on this machine."""
    return not debug and email_backend in LOCAL_EMAIL_BACKENDS
