"""`manage.py bench signatures --json`: a viral moment on one petition (issue #14).

On PostgreSQL + Redis only (else CommandError). The benchmark

1. creates a public campaign with an open petition (`Benchmark: signatures <run>`);
2. starts the production web server — gunicorn with the project's gunicorn.conf.py,
   DEBUG=false, behind a "proxy" it trusts (HAMLA_TRUSTED_PROXIES=127.0.0.1/32): locust
   sends X-Forwarded-For and X-Forwarded-Proto as a TLS proxy would — a real Celery worker
   on a queue of this run (niced: it yields the cores to the web during the burst), and an
   SMTP sink (devtools.sink) the worker mails into;
3. runs locust headless (devtools/benchmarks/signatures_locust.py) for HAMLA_BENCH_SECONDS
   (60) with HAMLA_BENCH_USERS (12) simulated users, each a browser that GETs the petition's
   page for its CSRF cookie and token and then POSTs the form, every submission with its
   own email and its own client address (HAMLA_BENCH_PAGE_EVERY=1: a new page load before
   every submission);
4. checks the database: every submission answered with success must be there, found by its
   email's blind index (`lost` counts those that are not); `errors` counts answers >= 400;
5. waits up to HAMLA_BENCH_DRAIN_SECONDS (120) for the worker to mail every confirmation
   (`mails`, `mail_drain_s`: the request only enqueues, the worker sends);
6. deletes what it created (the campaign with its petition and responses, any contact made
   with the run's addresses, the flood counts, the run's queue and cached counts in Redis)
   and stops every process it started, also on Ctrl-C or SIGTERM.

Prints {"signatures_per_s", "p50_ms", "p99_ms", "lost", "errors"} (the POSTs; the page
GET's own figures are `page_p50_ms`, `page_p99_ms`) with the load average before and after:
other work on the machine changes the figures.
"""

import json
import logging
import os
import resource
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from asks.models import Ask, Response
from campaigns.models import Campaign
from contacts import crypto
from contacts.limits import FloodCounter
from contacts.models import ConsentEvent, Contact
from devtools.sink import Sink

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("signatures_locust.py")
# The worker yields the cores to the web processes during the burst: the form must answer at
# once, while a confirmation mail may leave seconds later (`mail_drain_s` says how many).
WORKER_NICE = 10


def run(options):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise CommandError(
            "the signatures benchmark needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…"
        )
    seconds = float(os.environ.get("HAMLA_BENCH_SECONDS", "60"))
    users = int(os.environ.get("HAMLA_BENCH_USERS", "12"))
    drain = float(os.environ.get("HAMLA_BENCH_DRAIN_SECONDS", "120"))
    tag = get_random_string(8).lower()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the sink's line per connection
    procs = []
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    flood_before = FloodCounter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    campaign = ask = None
    attempted = [0]  # filled in once locust stopped; the cleanup deletes that many addresses
    var_dir = tempfile.TemporaryDirectory(prefix="hamla-bench-signatures-var-")
    sink = Sink(keep=False)
    sink.__enter__()
    try:
        campaign, ask = _petition(tag)
        form = _form(ask)
        port = _free_port()
        env = _environment(sink.port, f"hamla-bench-{tag}", var_dir.name)
        # DEBUG=false serves the hashed static files of a manifest, made into the run's var dir.
        _collectstatic(env)
        log = open(Path(var_dir.name) / "processes.log", "wb")  # noqa: SIM115 (closed with the var dir)
        procs.append(_spawn(["-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}"], env, stderr=log))
        procs.append(
            _spawn(["-m", "celery", "-A", "hamla", "worker", "--concurrency=1", "-n", f"bench-{tag}@%h"]
                   + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"], env,
                   stderr=log, nice=WORKER_NICE)
        )  # fmt: skip
        _wait_http(port, form["path"], procs[0], Path(log.name))
        _wait_booted(procs[0].pid, _web_workers())
        web_workers = len(_children(procs[0].pid))  # as booted, not as configured
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="hamla-bench-signatures-") as directory:
            out = Path(directory) / "submissions.jsonl"
            cpu_before = _cpu(procs)
            started = time.perf_counter()
            _locust(port, form, tag, out, users, seconds, env, procs)
            elapsed = time.perf_counter() - started
            cpu_after = _cpu(procs[:2])
            lines = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
            submissions = [line for line in lines if "email" in line]
            pages = sorted(ms for line in lines for ms in line.get("page_ms", []))
            attempted[0] = max([line.get("attempted", 0) for line in lines] + [len(submissions)])
        load_after = os.getloadavg()
        figures = _figures(submissions, ask)
        figures.update({"page_p50_ms": _percentile(pages, 0.5), "page_p99_ms": _percentile(pages, 0.99)})
        figures["cpu_ms_per_signature"] = _cpu_per(cpu_before, cpu_after, figures["accepted"])
        figures.update(_drain(sink, figures["accepted"], drain, procs[1]))
        return {
            **figures,
            "seconds": round(elapsed, 1),
            "users": users,
            "web_workers": web_workers,
            "database": connection.vendor,
            "load_average_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        }
    finally:
        _stop(procs)
        sink.__exit__(None, None, None)
        var_dir.cleanup()
        _cleanup(campaign, _emails(tag, attempted[0] + users), flood_before)
        _forget_in_redis(f"hamla-bench-{tag}", ask)
        signal.signal(signal.SIGTERM, previous_term)


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # the `finally` of run() stops the processes and deletes the data


def _petition(tag):
    campaign = Campaign.objects.create(
        title_ar=f"حملة قياس التواقيع {tag}",
        title_en=f"Benchmark: signatures {tag}",
        slug=f"bench-signatures-{tag}",
        kind=list(Campaign.Kind)[0],
        start_date=timezone.localdate(),
        is_public=True,
    )
    ask = Ask.objects.create(
        campaign=campaign,
        kind=Ask.Kind.PETITION,
        status=Ask.Status.OPEN,
        slug="petition",
        title_ar="أوقفوا قطع الأشجار",
        title_en="Stop cutting the trees",
        text_ar="نطالب البلدية بحماية أشجار الحي.",
        target_ar="رئيس البلدية",
        goal=100_000,
    )
    return campaign, ask


def _form(ask):
    """What locust posts to the petition's public form."""
    fields = {
        "given_name": "موقّع {n}",
        "family_name": "",
        "email": "{email}",
        "phone": "",
        "neighbourhood": "الشعار",
        "language": "ar",
        "website": "",  # the honeypot, left empty as people do
    }
    return {"path": ask.public_url(), "fields": fields}


def _environment(smtp_port, queue, var_dir):
    """The production environment of the web server and the worker: DEBUG off, this
    process's database, Redis, secrets and keys (so blind indexes match), mail to the sink."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "false",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "HAMLA_ENCRYPTION_KEY": settings.HAMLA_ENCRYPTION_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://127.0.0.1",
            "HAMLA_TRUSTED_PROXIES": "127.0.0.1/32",
            "HAMLA_CELERY_QUEUE": queue,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "HAMLA_VAR_DIR": var_dir,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _database_url():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{db['USER']}{password}@" if db.get("USER") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _collectstatic(env):
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise CommandError(f"collectstatic failed: {done.stderr[-800:]}")


def _web_workers():
    """The worker count gunicorn.conf.py gives (WEB_CONCURRENCY, else two per core)."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def _spawn(args, env, nice=0, **kwargs):
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=kwargs.pop("stdout", subprocess.DEVNULL),
        stderr=kwargs.pop("stderr", subprocess.DEVNULL),
        start_new_session=True,  # its own process group: stopped as a whole, never by the terminal alone
        preexec_fn=lambda: _die_with_parent(nice),
        **kwargs,
    )


def _die_with_parent(nice=0):
    # Between fork and exec: if the benchmark is killed outright, the kernel stops the child too.
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if nice:
        os.nice(nice)


def _locust(port, form, tag, out, users, seconds, env, procs):
    locust_env = {
        **env,
        "HAMLA_BENCH_FORM": json.dumps(form),
        "HAMLA_BENCH_RUN": tag,
        "HAMLA_BENCH_OUT": str(out),
        "HAMLA_BENCH_PACE": os.environ.get("HAMLA_BENCH_PACE", "0"),
        "HAMLA_BENCH_PAGE_EVERY": os.environ.get("HAMLA_BENCH_PAGE_EVERY", "0"),
    }
    proc = _spawn(
        ["-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}"]
        + ["-u", str(users), "-r", str(users), "-t", f"{seconds:g}s", "--only-summary", "--loglevel", "WARNING"]
        + ["--exit-code-on-error", "0", "--stop-timeout", "5"],
        locust_env,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    procs.append(proc)
    try:
        _, stderr = proc.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired as exc:
        raise CommandError("locust did not stop on time") from exc
    if proc.returncode != 0:
        raise CommandError(f"locust failed ({proc.returncode}): {stderr.decode(errors='replace')[-800:]}")


def _figures(submissions, ask):
    posted = [s for s in submissions if s["status"]]
    accepted = [s for s in posted if s["status"] < 400]
    errors = len(posted) - len(accepted)
    by_status = {}
    for s in posted:
        by_status[str(s["status"])] = by_status.get(str(s["status"]), 0) + 1
    timings = sorted(s["ms"] for s in posted)
    span = (max(s["at"] for s in posted) - min(s["at"] for s in posted)) if len(posted) > 1 else 0
    stored = _stored([s["email"] for s in accepted], ask)
    return {
        "signatures_per_s": round(len(accepted) / span, 1) if span else 0.0,
        "p50_ms": _percentile(timings, 0.50),
        "p99_ms": _percentile(timings, 0.99),
        "lost": len(accepted) - stored,
        "errors": errors,
        "accepted": len(accepted),
        "statuses": by_status,
        "p90_ms": _percentile(timings, 0.90),
        "max_ms": timings[-1] if timings else None,
    }


def _stored(emails, ask):
    """How many of these emails have a response to the petition, each by its blind index."""
    digests = [crypto.blind_index(email, "email") for email in emails]
    found = 0
    for start in range(0, len(digests), 2000):
        chunk = digests[start : start + 2000]
        found += Response.objects.filter(ask=ask, email_hash__in=chunk).values("email_hash").distinct().count()
    return found


def _percentile(ordered, fraction):
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _drain(sink, expected, timeout, worker):
    """Wait until the worker has mailed `expected` confirmations (or `timeout` passed)."""
    started = time.perf_counter()
    while sink.handler.count < expected and time.perf_counter() - started < timeout and worker.poll() is None:
        time.sleep(0.2)
    return {"mails": sink.handler.count, "mail_drain_s": round(time.perf_counter() - started, 1)}


def _stop(procs):
    for proc in procs:
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _emails(tag, count):
    """The addresses locust gives its first `count` submissions (signatures_locust.py)."""
    return [f"s{n}-{tag}@bench.invalid" for n in range(count)]


def _cleanup(campaign, emails, flood_before):
    """Delete what the run created: its campaign (with the petition and its responses), any
    contact made with one of its addresses (the newsletter-signup fallback, or a signer who
    asked to be kept informed), and the flood counts created since it started."""
    if campaign is not None:
        Response.objects.filter(ask__campaign=campaign)._raw_delete(connection.alias)
        campaign.delete()
    digests = [crypto.blind_index(email, "email") for email in emails]
    for start in range(0, len(digests), 2000):
        contacts = Contact.objects.filter(email_hash__in=digests[start : start + 2000])
        ConsentEvent.objects.filter(contact__in=contacts)._raw_delete(connection.alias)
        contacts.delete()
    FloodCounter.objects.filter(pk__gt=flood_before)._raw_delete(connection.alias)


def _forget_in_redis(queue, ask):
    """The run's queue (tasks a stopped worker left) with its binding, and the cached counts
    of its petition."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
        if ask is not None:
            for key in client.scan_iter(match=f"*asks:*:{ask.pk}"):
                client.delete(key)
    finally:
        client.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(port, path, proc, log, timeout=60):
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    )
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"gunicorn exited ({proc.returncode}) before serving: {_tail(log)}")
        with suppress(OSError):
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (http://127.0.0.1 only)
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise CommandError(f"gunicorn did not serve the form in time: {_tail(log)}")


def _wait_booted(master, workers, timeout=60):
    """Wait until gunicorn's `workers` workers have all loaded Django: the first answer
    comes from the first one ready, and the others importing the project meanwhile would
    take the cores from the first seconds of the run. Booted workers wait for requests,
    so the run starts once the workers' CPU time stops growing."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        children = _children(master)
        ticks = sum(_cpu_ticks(pid) for pid in children)
        if workers and len(children) >= workers and last is not None and ticks - last <= 2:
            return
        last = ticks
        time.sleep(0.5)


def _children(pid):
    with suppress(OSError):
        tasks = Path(f"/proc/{pid}/task")
        return [int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()]
    return []


def _cpu_ticks(pid):
    with suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


def _cpu(procs):
    """CPU seconds so far of the web workers, the Celery worker (with its pool), this
    database's other backends, and the children this process has reaped (locust, once it
    has exited): what the run costs, whatever else loads the machine meanwhile."""
    web, worker = procs[0].pid, procs[1].pid
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "web": sum(_cpu_ticks(pid) for pid in _children(web)) / tick,
        "worker": sum(_cpu_ticks(pid) for pid in [worker, *_children(worker)]) / tick,
        "postgres": {pid: _cpu_ticks(pid) / tick for pid in backends},
        "locust": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
    }


def _cpu_per(before, after, signatures):
    """Milliseconds of CPU per accepted signature, by part: on an idle machine of N cores,
    N * 1000 / (web + postgres + locust) is about the most signatures a second there is."""
    if not signatures:
        return {}
    spent = {part: after[part] - before[part] for part in ("web", "worker", "locust")}
    spent["postgres"] = sum(seconds - before["postgres"].get(pid, 0) for pid, seconds in after["postgres"].items())
    return {part: round(seconds * 1000 / signatures, 2) for part, seconds in spent.items()}


def _tail(path):
    return path.read_text(errors="replace")[-1500:] if path.exists() else ""
