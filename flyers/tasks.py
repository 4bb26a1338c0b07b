from celery import shared_task
from django.utils.translation import gettext as _

from . import render
from .errors import FlyerLayoutError
from .models import BatchRender


@shared_task(acks_late=True)
def render_batch(batch_id):
    """Render a personalised batch into the content cache. Safe to run twice: only the
    caller that claims the batch renders it, and the file is written atomically."""
    batch = BatchRender.objects.filter(pk=batch_id).select_related("flyer__campaign").first()
    if batch is None or not batch.claim():
        return False
    runs = list(batch.print_runs.order_by("id"))
    try:
        if not runs:
            raise FlyerLayoutError("no_print_runs")
        spec = batch.flyer.spec(grayscale=batch.grayscale)
        urls = [run.qr_url() for run in runs]
        path = render.render_pdf(spec, batch.layout, crop_marks=batch.crop_marks, qr_urls=urls)
        pages = render.page_count(path)
    except FlyerLayoutError as exc:
        batch.fail(str(render.user_message(exc)))
        return False
    except Exception:
        # Anything else (a full disk, say) must not leave the batch "rendering" for good.
        batch.fail(_("The PDF could not be made because of an internal error. Please try again."))
        raise
    batch.finish(path.stem, pages)
    return True


@shared_task
def prune_cache():
    """Periodic: drop cached flyer files nobody used for a month."""
    return render.prune_cache()
