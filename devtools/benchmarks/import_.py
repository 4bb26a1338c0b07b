"""`manage.py bench import --rows N`: generate a realistic CSV and import it.

The file mixes Arabic and Latin names, Syrian and Turkish phone numbers in
several spellings, ~2% duplicate rows and ~1% invalid rows, and is written in
Windows-1256 like an Excel export. The import runs exactly as the command does
(encryption, blind indexes, de-duplication, consent events). Afterwards the
generated contacts are deleted again (not timed), so the bench can run against
a real database. Peak memory is the growth of the process's max RSS during the
import, which stays flat as --rows grows because the file is streamed in batches.
"""

import os
import random
import resource
import tempfile
import time
from pathlib import Path

from django.db import connection

from contacts.importing import import_file
from contacts.models import ConsentEvent, Contact, ContactList, Membership
from devtools.clients import throwaway_organizer, verified_client

GIVEN_AR = ["محمد", "أحمد", "علي", "عمر", "خالد", "فاطمة", "مريم", "ريم", "سارة", "يوسف", "نور", "ليلى", "حسن", "رنا"]
FAMILY_AR = ["الحلبي", "الشامي", "العلي", "الأحمد", "الخطيب", "السيد", "النجار", "الحسن", "الإدلبي", "المصري"]
GIVEN_EN = ["Sam", "Lina", "Omar", "Hiba", "Karim", "Dana", "Tarek", "Maya", "Rami", "Nadia"]
FAMILY_EN = ["Haddad", "Kassab", "Smith", "Yilmaz", "Demir", "Rahman", "Nasser", "Khoury"]
CITIES = ["حلب", "إدلب", "غازي عنتاب", "Gaziantep", "اعزاز", "الباب", "Istanbul"]
TAGS = ["متطوع", "شباب", "نساء", "إعلام", "press", "youth"]


def write_file(path, rows, seed=1):
    rng = random.Random(seed)
    with open(path, "w", encoding="cp1256", errors="replace", newline="") as out:
        out.write("الاسم;البريد الإلكتروني;الهاتف;اللغة;المنطقة;الوسوم\r\n")
        recent = []
        for i in range(rows):
            roll = rng.random()
            if roll < 0.02 and recent:
                out.write(rng.choice(recent))
                continue
            if roll < 0.03:
                out.write(f"خطأ {i};not-an-email-{i};;ar;;\r\n")
                continue
            if rng.random() < 0.7:
                name, lang = f"{rng.choice(GIVEN_AR)} {rng.choice(FAMILY_AR)}", "ar"
            else:
                name, lang = f"{rng.choice(GIVEN_EN)} {rng.choice(FAMILY_EN)}", rng.choice(["en", "tr"])
            email = f"bench.{i}.{rng.randrange(10**6)}@example.org" if rng.random() < 0.9 else ""
            if rng.random() < 0.5:
                phone = f"09{rng.choice('3459')}{rng.randrange(10**7):07d}"
            elif rng.random() < 0.5:
                phone = f"+90 5{rng.randrange(30, 56)} {rng.randrange(10**7):07d}"
            else:
                phone = ""
            if not email and not phone:
                phone = f"+963 9{rng.choice('3459')}{rng.randrange(10**7):07d}"
            tags = ",".join(rng.sample(TAGS, rng.randrange(0, 3)))
            line = f"{name};{email};{phone};{lang};{rng.choice(CITIES)};{tags}\r\n"
            recent = (recent + [line])[-50:]
            out.write(line)


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(options):
    rows = int(options.get("rows") or 100_000)
    with tempfile.TemporaryDirectory(prefix="hamla-bench-") as tmp:
        path = Path(tmp) / "supporters.csv"
        started = time.perf_counter()
        write_file(path, rows)
        generate_s = time.perf_counter() - started
        contact_list = ContactList.objects.create(name=f"bench {time.time_ns()}")
        # Contacts that existed before are left alone on cleanup.
        last_id = Contact.objects.order_by("-id").values_list("id", flat=True).first() or 0
        rss_before = _max_rss_mib()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        result = import_file(path, contact_list, file_name=path.name)
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        rss_after = _max_rss_mib()
        load = os.getloadavg()[0]
        size = path.stat().st_size
    members = contact_list.memberships.count()
    page_ms = list_page_timings(contact_list)
    new = Contact.objects.filter(pk__gt=last_id, memberships__contact_list=contact_list)
    new_ids = list(new.values_list("id", flat=True))
    for start in range(0, len(new_ids), 5000):
        Contact.objects.filter(pk__in=new_ids[start : start + 5000]).delete()
    ConsentEvent.objects.filter(contact_list=contact_list).delete()
    contact_list.delete()
    vacuum()
    return {
        "database": connection.vendor,
        "rows": rows,
        "file_bytes": size,
        "encoding": result.encoding,
        "created": result.created,
        "updated": result.updated,
        "skipped": result.skipped,
        "errors": result.error_count,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(rows / elapsed),
        # This process's CPU (parsing, encryption, indexing, COPY formatting; the database
        # server's work is not included): the rate an unloaded core could sustain.
        "client_cpu_seconds": round(cpu, 2),
        "client_cpu_rows_per_second": round(rows / cpu) if cpu else None,
        "load_average_1min_after": round(load, 2),
        "peak_rss_growth_mib": round(rss_after - rss_before, 1),
        "peak_rss_mib": round(rss_after, 1),
        "generate_seconds": round(generate_s, 2),
        "members": members,
        "contacts_in_database_during_page_timing": page_ms.pop("contacts"),
        **page_ms,
    }


def vacuum():
    """Reclaim the deleted rows now, so that autovacuum does not do it during the next run."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Contact, Membership, ConsentEvent, Contact.tags.through):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def list_page_timings(contact_list, repeat=7):
    """Median server time of the organizer contact list page (first page, and filtered by
    the imported list) while the imported contacts are in the database."""
    import statistics

    user = throwaway_organizer()
    try:
        client = verified_client(user)
        figures = {"contacts": Contact.objects.count()}
        for name, params in (("list_page_ms", {}), ("list_page_filtered_ms", {"lists": contact_list.pk})):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get("/contacts/", params, HTTP_HOST="localhost")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            figures[name] = round(statistics.median(times), 1)
        return figures
    finally:
        user.delete()
