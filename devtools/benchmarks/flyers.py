"""Timing helper for the flyer PDF engine (no Django needed).

``benchmark()`` is wired to ``manage.py bench flyers --json``. Figures:

* ``single_a5_cold_ms``: first render in this process (fonts loaded,
  caches empty) -- only meaningful in a fresh process;
* ``single_a5_warm_ms``: median of warm renders of the same spec;
* ``sheet_4up_ms``: median of ``render_sheet(layout="a4-4up")``;
* ``batch_pages_per_s``: ``render_batch`` with ``n_batch`` distinct QR links;
* ``peak_memory_mb``: tracemalloc peak during a second batch of the same
  size (Python allocations; measured separately because tracemalloc slows
  the run down) and ``max_rss_mb`` (process high-water mark).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc

from flyers.designs import FlyerSpec, render_flyer
from flyers.imposition import render_batch, render_sheet

TARGETS = {"single_a5_warm_ms": 100.0, "sheet_4up_ms": 150.0, "batch_pages_per_s": 150.0}


def sample_spec(design: str = "bold", grayscale: bool = False) -> FlyerSpec:
    return FlyerSpec(
        headline_ar="معاً من أجل مياه نظيفة في حلب",
        body_ar=(
            "اتصل بنا على 0944 123 456 أو زوروا hamla.org لمعرفة المزيد. "
            "الاجتماع القادم في 2011-12-15 الساعة 10:30 في المركز الثقافي."
        ),
        cta_ar="شارك في الحملة اليوم",
        headline_en="Together for clean water in Aleppo",
        body_en=(
            "Call us on +963 944 123 456 or visit hamla.org to learn more. "
            "Next meeting 2011-12-15 at 10:30 at the cultural centre."
        ),
        cta_en="Join the campaign today",
        design=design,
        grayscale=grayscale,
        qr_url="https://hamla.org/c/clean-water",
        footer="جمعية المياه النظيفة · Clean Water Association",
    )


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def benchmark(n_batch: int = 1000, repeat: int = 7) -> dict:
    spec = sample_spec()
    t = time.perf_counter()
    render_flyer(spec, "a5")
    cold = (time.perf_counter() - t) * 1000
    warm = _ms(lambda: render_flyer(spec, "a5"), repeat)
    sheet = _ms(lambda: render_sheet(spec, "a4-4up"), repeat)
    urls = [f"https://hamla.org/f/{i:06d}?s=clean-water" for i in range(n_batch)]
    t = time.perf_counter()
    pdf = render_batch(spec, urls, "a5")
    batch_s = time.perf_counter() - t
    # memory in a second run (tracemalloc slows Python down several times);
    # distinct links so the QR cache does not hide the work
    urls = [u + "&m=1" for u in urls]
    tracemalloc.start()
    render_batch(spec, urls, "a5")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "single_a5_cold_ms": round(cold, 1),
        "single_a5_warm_ms": round(warm, 1),
        "sheet_4up_ms": round(sheet, 1),
        "batch_pages": n_batch,
        "batch_seconds": round(batch_s, 3),
        "batch_pages_per_s": round(n_batch / batch_s, 1),
        "batch_pdf_bytes": len(pdf),
        "peak_memory_mb": round(peak / 1e6, 1),
        "max_rss_mb": round(rss_kb / 1024, 1),
        "python": sys.version.split()[0],
    }
    result["meets_targets"] = (
        result["single_a5_warm_ms"] < TARGETS["single_a5_warm_ms"]
        and result["sheet_4up_ms"] < TARGETS["sheet_4up_ms"]
        and result["batch_pages_per_s"] >= TARGETS["batch_pages_per_s"]
    )
    return result


if __name__ == "__main__":  # python -m devtools.benchmarks.flyers
    import json

    print(json.dumps(benchmark(), indent=2))


def run(options: dict) -> dict:
    """Entry point of ``manage.py bench flyers [--batch N] --json``."""
    return benchmark(n_batch=int(options.get("batch") or 1000))
