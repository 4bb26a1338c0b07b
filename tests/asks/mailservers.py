"""Mail servers that misbehave, as Django email backends (settings.EMAIL_BACKEND): each sends
what it takes into the locmem outbox (django.core.mail.outbox) and refuses the rest the way an
SMTP server does, quoting the address in its error."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusesAmal(EmailBackend):
    """Refuses amal@example.org for good (550), takes every other address."""

    def send_messages(self, messages):
        if any("amal@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"amal@example.org": (550, b"5.1.1 <amal@example.org> no such user")})
        return super().send_messages(messages)


class Down(EmailBackend):
    """Cannot be reached."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class DefersAfterOne(EmailBackend):
    """Takes one message per connection, then answers 421 (try again later) to the next."""

    def open(self):
        self.taken = 0
        return super().open()

    def send_messages(self, messages):
        if self.taken >= 1:
            raise smtplib.SMTPDataError(421, b"4.7.0 <rima@example.org> try again later")
        self.taken += len(messages)
        return super().send_messages(messages)


class CountsConnections(EmailBackend):
    """Takes everything and counts the connections opened (in `opened`, set it to 0 first)."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()
