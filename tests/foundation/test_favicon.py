import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_links_a_favicon_that_exists_so_the_first_load_has_no_404(client, settings):
    """Without a <link rel=icon> browsers ask for /favicon.ico, which is a 404 on every first load."""
    html = client.get(reverse("accounts:login")).content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert href and finders.find(href.group(1).removeprefix(settings.STATIC_URL))
