"""What an exception raised while sending one mail means: retry later or give up, this
message only or the whole connection. Shared by the newsletter dispatch (messaging) and
the confirmation links of asks: both must tell "the server is down, try again" from
"this address is refused" the same way, and neither may store or log an address."""

import smtplib

from .scrub import scrub


def classify(exc, limit=255):
    """(transient, whole_connection, reason) for an exception raised while sending.
    Transient: timeouts, connection loss, 4xx SMTP replies, HTTP 429 and 5xx from an API.
    `whole_connection` means stop this batch (the provider is refusing everything for now).
    The reason may be stored or logged, so it is scrubbed of email addresses in every form
    mail libraries quote them (core.scrub) and cut to `limit` characters."""
    transient, whole, reason = _classify(exc)
    return transient, whole, scrub(reason, limit=limit)


def _classify(exc):
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    if isinstance(exc, AnymailRecipientsRefused):
        return False, False, "refused by the provider"
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        if status is None or status == 429 or status >= 500:
            return True, True, f"provider error {status or 'network'}"
        return False, False, f"provider error {status}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return True, False, f"recipient deferred {codes[0]}"
        return False, False, f"recipient refused {codes[0] if codes else ''}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return 400 <= code < 500, True, f"SMTP {code} {scrub(repr(exc.smtp_error))[:120]}"
    # The server gone, a timeout, a refused or reset connection: smtplib's disconnects,
    # socket.timeout, ConnectionError and TimeoutError are all OSErrors.
    if isinstance(exc, OSError):
        return True, True, f"connection: {exc.__class__.__name__}"
    return False, False, f"{exc.__class__.__name__}: {exc}"
