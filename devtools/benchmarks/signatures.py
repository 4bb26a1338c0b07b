"""`manage.py bench signatures --json`: a viral moment on one petition (issue #14).

On PostgreSQL + Redis only (else CommandError). The benchmark

1. creates a public campaign with an open petition (`Benchmark: signatures <run>`);
2. starts the production web server — gunicorn with the project's gunicorn.conf.py,
   DEBUG=false, behind a "proxy" it trusts (HAMLA_TRUSTED_PROXIES=127.0.0.1/32): the load
   sends X-Forwarded-For and X-Forwarded-Proto as a TLS proxy would — a real Celery worker
   on a queue of this run (at nice 19, its autogroup too: it yields the cores to the web
   during the burst and sends the links after), and an
   SMTP sink (devtools.sink) the worker mails into;
3. loads the petition's page once per user, all at once, for each one's CSRF cookie and
   token (`page_p50_ms`, `page_p99_ms`), then runs wrk (devtools/benchmarks/signatures.lua)
   for HAMLA_BENCH_SECONDS (60) with HAMLA_BENCH_USERS (12) users — one thread with one
   connection each — POSTing the form as fast as it answers (or HAMLA_BENCH_PACE seconds
   apart), every submission with its own email and its own client address. wrk, in C,
   costs a small fraction of the CPU locust (Python and gevent) did on the same cores: the
   load generator shares the machine, and what it spends is not spent on signatures;
4. checks the database: every submission answered with success must be there, found by its
   email's blind index (`lost` counts those that are not); `errors` counts answers >= 400
   and the socket errors and timeouts (over 10 s) wrk reports (`socket_errors`);
5. waits up to HAMLA_BENCH_DRAIN_SECONDS (120) for the worker to mail every confirmation
   (`mails`, `mail_drain_s`: the request only enqueues, the worker sends);
6. deletes what it created (the campaign with its petition and responses, any contact made
   with the run's addresses, the flood counts, the run's queue and cached counts in Redis)
   and stops every process it started, also on Ctrl-C or SIGTERM.

Prints {"signatures_per_s", "p50_ms", "p99_ms", "lost", "errors"} (the POSTs, timed by
wrk's histogram; the page GET's own figures are `page_p50_ms`, `page_p99_ms`) with the CPU
each part spent per signature (`load` is wrk's) and the load average before and after:
other work on the machine changes the figures. Without wrk on PATH it stops at once, saying
how to install it (Debian: `apt-get install wrk`).
"""

import http.client
import logging
import os
import re
import resource
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from asks.models import Ask, Response
from campaigns.models import Campaign
from contacts import crypto, limits
from contacts.limits import FloodCounter
from contacts.models import ConsentEvent, Contact
from devtools.sink import Sink, free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("signatures.lua")
# A submission answered later than this counts among wrk's errors (as a timeout).
TIMEOUT_SECONDS = 10
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE = re.compile(r"csrftoken=([^;,\s]+)")
# The worker yields the cores to the web processes during the burst: the form must answer at
# once, while a confirmation mail may leave seconds later (`mail_drain_s` says how many).
WORKER_NICE = 19


def run(options):
    wrk = shutil.which("wrk")
    if wrk is None:
        raise CommandError(
            "the signatures benchmark drives the form with wrk, which is not on PATH: "
            "install it (Debian, Ubuntu: apt-get install wrk)"
        )
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise CommandError(
            "the signatures benchmark needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…"
        )
    seconds = max(1, round(float(os.environ.get("HAMLA_BENCH_SECONDS", "60"))))
    users = int(os.environ.get("HAMLA_BENCH_USERS", "12"))
    drain = float(os.environ.get("HAMLA_BENCH_DRAIN_SECONDS", "120"))
    tag = get_random_string(8).lower()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the sink's line per connection
    procs = []
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    flood_before = FloodCounter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    campaign = ask = None
    var_dir = tempfile.TemporaryDirectory(prefix="hamla-bench-signatures-var-")
    out = Path(var_dir.name) / "wrk"  # what wrk wrote: read again by the cleanup, whatever happened
    sink = Sink(keep=False)
    sink.__enter__()
    try:
        campaign, ask = _petition(tag)
        _vacuum()
        form = _form(ask)
        port = free_port()
        env = _environment(sink.port, f"hamla-bench-{tag}", var_dir.name)
        # DEBUG=false serves the hashed static files of a manifest, made into the run's var dir.
        _collectstatic(env)
        log = open(Path(var_dir.name) / "processes.log", "wb")  # noqa: SIM115 (closed with the var dir)
        procs.append(
            _spawn([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}"], env,
                   stderr=log)
        )  # fmt: skip
        procs.append(
            _spawn([sys.executable, "-m", "celery", "-A", "hamla", "worker", "--concurrency=1", "-n", f"bench-{tag}@%h"]
                   + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"], env,
                   stderr=log, nice=WORKER_NICE)
        )  # fmt: skip
        _wait_http(port, form["path"], procs[0], Path(log.name))
        _wait_booted(procs[0].pid, _web_workers())
        web_workers = len(_children(procs[0].pid))  # as booted, not as configured
        load_before = os.getloadavg()
        out.mkdir()
        cpu_before = _cpu(procs)
        started = time.perf_counter()
        pairs, pages = _load_pages(port, form["path"], users)
        _wrk(wrk, port, form, tag, out, pairs, seconds, procs)
        elapsed = time.perf_counter() - started
        cpu_after = _cpu(procs[:2])
        load_after = os.getloadavg()
        figures = _figures(_records(out), _summary(out), ask, tag)
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
        used = _used(_records(out), users)
        var_dir.cleanup()
        _cleanup(campaign, [_email(tag, thread, n) for thread, n in used], flood_before)
        _forget_in_redis(f"hamla-bench-{tag}", ask, _flood_names(tag, used, users))
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


def _vacuum():
    """VACUUM ANALYZE what a run writes: the rows the last run deleted would otherwise be the
    autovacuum's work during this one (and its CPU, whenever it starts, the run's noise)."""
    with connection.cursor() as cursor:
        for table in (Response._meta.db_table, FloodCounter._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _form(ask):
    """What wrk posts to the petition's public form ({email} and {n}: each submission's own)."""
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
            # Connections live through the run: the CPU of a database backend is read from its
            # process at the start and the end, and one replaced at the default 60 s is lost.
            "DATABASE_CONN_MAX_AGE": "3600",
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
        args,
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
        # Linux groups a session's processes (autogroup, on by default) and shares the CPU
        # between groups first: the worker, a session of its own, took as much CPU as all the
        # web processes together whatever its nice, and the web's own CPU per request grew
        # with it. Its group gets the same nice, so it runs on what the web leaves.
        with suppress(OSError):
            Path("/proc/self/autogroup").write_text(str(nice))


def _load_pages(port, path, users):
    """Each user's first page load, all at once, as the moment starts: their CSRF (cookie,
    token) pairs, in thread order, and the milliseconds each GET took, sorted."""
    with ThreadPoolExecutor(users) as pool:
        loads = list(pool.map(lambda thread: _load_page(port, path, thread, users), range(users)))
    return [pair for pair, _ in loads], sorted(ms for _, ms in loads)


def _load_page(port, path, thread, users):
    """GET the page as a browser with no cookie, from the address of the thread's first
    submission: its CSRF (cookie, token) and the milliseconds it took."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address(thread, 0, users)}
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        fetched = time.perf_counter()
        client.request("GET", path, headers=headers)
        answer = client.getresponse()
        page = answer.read().decode(errors="replace")
        ms = round((time.perf_counter() - fetched) * 1000, 2)
    finally:
        client.close()
    token = TOKEN.search(page)
    cookie = COOKIE.search(", ".join(answer.headers.get_all("Set-Cookie") or []))
    if answer.status != 200 or not token or not cookie:
        raise CommandError(f"the petition's page gave no CSRF cookie and token (status {answer.status})")
    return (cookie.group(1), token.group(1)), ms


def _wrk(wrk, port, form, tag, out, pairs, seconds, procs):
    """wrk with one thread and one connection per user (signatures.lua says why)."""
    pace_ms = round(float(os.environ.get("HAMLA_BENCH_PACE", "0") or 0) * 1000)
    fields = urlencode(form["fields"]).replace("%7Bemail%7D", "{email}").replace("%7Bn%7D", "{n}")
    users = str(len(pairs))
    proc = _spawn(
        [wrk, "-t", users, "-c", users, "-d", f"{seconds}s", "--timeout", f"{TIMEOUT_SECONDS}s", "-s", str(SCRIPT)]
        + [f"http://127.0.0.1:{port}/", "--", str(out), tag, users, str(pace_ms), form["path"]]
        + [f"https://127.0.0.1:{port}", fields, *(value for pair in pairs for value in pair)],
        os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    procs.append(proc)
    try:
        output, _ = proc.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired as exc:
        raise CommandError("wrk did not stop on time") from exc
    if proc.returncode != 0 or not (out / "summary.txt").exists():
        raise CommandError(f"wrk failed ({proc.returncode}): {output.decode(errors='replace')[-800:]}")


def _records(out):
    """[(thread, n, status)] of every submission wrk recorded (status 0: never answered)."""
    records = []
    for path in sorted(out.glob("thread-*.txt")):
        thread = int(path.stem.removeprefix("thread-"))
        for line in path.read_text().splitlines():
            with suppress(ValueError):  # a line cut short by a killed wrk
                n, status = line.split()
                records.append((thread, int(n), int(status)))
    return records


def _summary(out):
    """wrk's own figures, as done() in signatures.lua wrote them: {name: integer}."""
    lines = (out / "summary.txt").read_text().splitlines()
    return {name: int(value) for name, value in (line.split() for line in lines)}


def _figures(records, summary, ask, tag):
    counts = _count(records, ask, tag)
    sockets = {kind: summary[kind] for kind in ("connect", "read", "write", "timeout")}
    seconds = summary["duration_us"] / 1e6
    return {
        "signatures_per_s": round(counts["accepted"] / seconds, 1) if seconds else 0.0,
        "p50_ms": _ms(summary["p50_us"]),
        "p99_ms": _ms(summary["p99_us"]),
        "lost": counts["lost"],
        "errors": counts["rejected"] + sum(sockets.values()),
        "accepted": counts["accepted"],
        "statuses": counts["statuses"],
        "socket_errors": sockets,
        "p90_ms": _ms(summary["p90_us"]),
        "max_ms": _ms(summary["max_us"]),
    }


def _count(records, ask, tag):
    """Of the recorded submissions: the answers by status, those accepted (an answer below
    400), those rejected (400 and up), and those accepted whose email has no response to
    the petition (`lost`)."""
    answered = [(thread, n, status) for thread, n, status in records if status]
    accepted = [_email(tag, thread, n) for thread, n, status in answered if status < 400]
    statuses = {}
    for _, _, status in answered:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "accepted": len(accepted),
        "rejected": len(answered) - len(accepted),
        "lost": len(accepted) - _stored(accepted, ask),
        "statuses": statuses,
    }


def _ms(microseconds):
    return round(microseconds / 1000, 2)


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


def _email(tag, thread, n):
    """The address of thread `thread`'s submission number `n` (as signatures.lua makes it)."""
    return f"s{thread}-{n}-{tag}@bench.invalid"


def _address(thread, n, threads):
    """The client address of that submission (as signatures.lua makes it): 198.18.0.0/15."""
    k = (n * threads + thread) % 2**17
    return f"198.{18 + k // 65536}.{k // 256 % 256}.{k % 256}"


def _used(records, threads):
    """Every (thread, n) wrk may have sent: up to the last one each thread recorded, and the
    one after it (sent, the run stopped before its answer)."""
    last = dict.fromkeys(range(threads), -1)
    for thread, n, _ in records:
        last[thread] = max(last.get(thread, -1), n)
    return [(thread, n) for thread, top in last.items() for n in range(top + 2)]


def _flood_names(tag, used, threads):
    """The Redis keys the run's flood counts are kept under (contacts/limits.py): each client
    address's, and each email's mail count."""
    whats = {f"asks:ip:{_address(thread, n, threads)}" for thread, n in used}
    whats |= {f"asks:mail:{crypto.blind_index(_email(tag, thread, n), 'email')}" for thread, n in used}
    return [f"hamla:flood:{limits.key_for(what)}" for what in whats]


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


def _forget_in_redis(queue, ask, flood_names):
    """The run's queue (tasks a stopped worker left) with its binding, its flood counts (or
    the next run's clients would start where this one's stopped), and the cached counts of
    its petition."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
        for start in range(0, len(flood_names), 1000):
            client.delete(*flood_names[start : start + 1000])
        if ask is not None:
            for key in client.scan_iter(match=f"*asks:*:{ask.pk}"):
                client.delete(key)
    finally:
        client.close()


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
    database's other backends, and the children this process has reaped (wrk, once it
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
        "load": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
    }


def _cpu_per(before, after, signatures):
    """Milliseconds of CPU per accepted signature, by part: on an idle machine of N cores,
    N * 1000 / (web + postgres + load) is about the most signatures a second there is."""
    if not signatures:
        return {}
    spent = {part: after[part] - before[part] for part in ("web", "worker", "load")}
    spent["postgres"] = sum(seconds - before["postgres"].get(pid, 0) for pid, seconds in after["postgres"].items())
    return {part: round(seconds * 1000 / signatures, 2) for part, seconds in spent.items()}


def _tail(path):
    return path.read_text(errors="replace")[-1500:] if path.exists() else ""
