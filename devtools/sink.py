"""A local SMTP sink (aiosmtpd) for tests and the dispatch benchmark — never a real provider.

In a test: `with Sink(delay=0.05, fail_first=3, fail_code=451) as sink:` then point
a worker at `sink.port`; `sink.received` lists (recipient, subject) pairs;
`sink.refuse()` and `sink.accept()` take the server down and up again on the same port.
From a shell: `python -m devtools.sink --port 2525` counts what it receives.
"""

import argparse
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, delay=0.0, fail_first=0, fail_code=451, keep=True):
        self.delay = delay
        self.fail_left = fail_first
        self.fail_code = fail_code
        self.keep = keep
        self.received = []
        self.count = 0
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                self.refused += 1
                return f"{self.fail_code} try again later"
        if self.delay:
            time.sleep(self.delay)  # block the loop on purpose: a slow provider
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            if self.keep:
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                for rcpt in envelope.rcpt_tos:
                    self.received.append((rcpt, str(parsed["Subject"]), parsed))
        return "250 OK"


class Sink:
    def __init__(self, host="127.0.0.1", port=0, **handler_options):
        self.handler = Handler(**handler_options)
        self.host = host
        self.controller = Controller(self.handler, hostname=host, port=port or free_port(host))
        self.refusing = False

    @property
    def port(self):
        return self.controller.port

    @property
    def received(self):
        with self.handler.lock:
            return list(self.handler.received)

    def recipients(self):
        return [rcpt for rcpt, _subject, _message in self.received]

    def refuse(self):
        """Stop listening: connections to the port are refused (a mail server that is down)
        until `accept()`. Messages already received are kept."""
        with self.handler.lock:
            if self.refusing:
                return
            self.refusing = True
        self.controller.stop()

    def accept(self):
        """Listen again on the same port after `refuse()`."""
        with self.handler.lock:
            if not self.refusing:
                return
            self.refusing = False
        self.controller = Controller(self.handler, hostname=self.host, port=self.controller.port)
        self.controller.start()

    def __enter__(self):
        self.refusing = False
        self.controller.start()
        return self

    def __exit__(self, *exc):
        if not self.refusing:
            self.controller.stop()


def free_port(host="127.0.0.1"):
    """A TCP port nothing listens on now (the sink's, the benchmarks' servers')."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args()
    with Sink(args.host, args.port, keep=False) as sink:
        print(f"listening on {args.host}:{sink.port}", flush=True)
        try:
            while True:
                time.sleep(5)
                print(f"received {sink.handler.count}", flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
