"""Anyone can make Hamla send the confirmation mail to any address: it carries nothing
the signer typed, so it cannot carry a stranger's words to someone else."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PHISHING = "Your account is compromised, visit https://evil.example/reset"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_confirmation_mail_carries_none_of_the_name_a_stranger_typed(language):
    form = {"email": "victim@example.org", "given_name": PHISHING, "language": language, "website": ""}
    Client().post(reverse("public:signup"), form)
    [message] = mail.outbox
    texts = [message.subject, message.body, *(body for body, _type in message.alternatives)]
    for word in ("compromised", "evil.example", "reset", "Your account"):
        assert not any(word in text for text in texts), f"{word!r} is in the mail"
