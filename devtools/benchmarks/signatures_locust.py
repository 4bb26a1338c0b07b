"""The locustfile of `manage.py bench signatures`: strangers signing one public form.

Run only by the benchmark (`locust -f` in its own process: locust monkey-patches the
process with gevent, so nothing of Django's may import this module). What it drives comes
from the environment the benchmark sets:

* HAMLA_BENCH_FORM: JSON {"path": "/c/<slug>/…", "fields": {name: value}}; "{email}" and
  "{n}" in a value become this submission's own address and number;
* HAMLA_BENCH_RUN: a tag making the addresses of this run unlike any other run's;
* HAMLA_BENCH_OUT: where each submission is written (one JSON line per answered POST:
  email, status, milliseconds, seconds since the start) when locust stops;
* HAMLA_BENCH_PACE: seconds between a user's submissions, 0 for none (a closed loop);
* HAMLA_BENCH_PAGE_EVERY: a user loads the page again (a new browser: no cookie) before
  every N-th submission; 1 makes every submission a new visitor's page load and POST,
  0 (the default) loads it once per user.

Each task is one submission with its own email and its own client address
(X-Forwarded-For, from the 198.18.0.0/15 range RFC 2544 keeps for benchmarks, as a
trusted proxy would write it), POSTed with the CSRF cookie and token a page load gave
(as a browser does: the token from the form, the cookie from Set-Cookie) and an Origin
header (the proxy in front says https, so Django checks the origin). Redirects are not
followed: the POST's answer is what is timed.
"""

import ipaddress
import itertools
import json
import os
import re
import time
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

FORM = json.loads(os.environ.get("HAMLA_BENCH_FORM", '{"path": "/", "fields": {}}'))
RUN = os.environ.get("HAMLA_BENCH_RUN", "run")
OUT = os.environ.get("HAMLA_BENCH_OUT", "")
PACE = float(os.environ.get("HAMLA_BENCH_PACE", "0") or 0)
PAGE_EVERY = int(os.environ.get("HAMLA_BENCH_PAGE_EVERY", "0") or 0)
FIRST_ADDRESS = int(ipaddress.ip_address("198.18.0.0"))
ADDRESSES = 2**17  # 198.18.0.0/15

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE = re.compile(r"csrftoken=([^;,\s]+)")

_numbers = itertools.count()
_submissions = []
_pages = []  # milliseconds of each page GET
_started = time.monotonic()


class Signer(FastHttpUser):
    wait_time = constant(PACE)
    max_retries = 0
    pair = None  # this browser's CSRF (cookie, token), from its last page load
    signed = 0

    @task
    def sign(self):
        n = next(_numbers)
        address = str(ipaddress.ip_address(FIRST_ADDRESS + n % ADDRESSES))
        email = f"s{n}-{RUN}@bench.invalid"
        origin = self.host.replace("http://", "https://", 1)
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        if self.pair is None or (PAGE_EVERY and self.signed % PAGE_EVERY == 0):
            self.pair = self.load_page(headers)
            if self.pair is None:
                return
        self.signed += 1
        cookie, token = self.pair
        values = {key: value.replace("{email}", email).replace("{n}", str(n)) for key, value in FORM["fields"].items()}
        values["csrfmiddlewaretoken"] = token
        headers |= {
            "Cookie": f"csrftoken={cookie}",
            "Origin": origin,
            "Referer": origin + FORM["path"],
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urlencode(values)
        sent = time.monotonic()
        with self.client.post(
            FORM["path"], data=body, headers=headers, name="sign", allow_redirects=False, catch_response=True
        ) as answer:
            elapsed = (time.monotonic() - sent) * 1000
            status = answer.status_code
            _submissions.append((email, status, round(elapsed, 2), round(sent - _started, 3)))
            if 0 < status < 400:
                answer.success()
            else:
                answer.failure(f"status {status}")

    def load_page(self, headers):
        """GET the page as a browser with no cookie: its CSRF (cookie, token), or None."""
        self.client.cookiejar.clear()
        fetched = time.monotonic()
        with self.client.get(FORM["path"], headers=headers, name="page", catch_response=True) as page:
            _pages.append(round((time.monotonic() - fetched) * 1000, 2))
            token = TOKEN.search(page.text or "")
            cookie = COOKIE.search(page.headers.get("set-cookie", "") or "")
            if page.status_code != 200 or not token or not cookie:
                page.failure(f"no CSRF pair (status {page.status_code})")
                return None
            page.success()
        return cookie.group(1), token.group(1)


@events.quitting.add_listener
def _write(**_):
    if OUT:
        with open(OUT, "w", encoding="utf-8") as out:
            for email, status, ms, at in _submissions:
                out.write(json.dumps({"email": email, "status": status, "ms": ms, "at": at}) + "\n")
            out.write(json.dumps({"page_ms": _pages}) + "\n")
            # Every address a task took, answered or not: the benchmark deletes them all.
            out.write(json.dumps({"attempted": next(_numbers)}) + "\n")
