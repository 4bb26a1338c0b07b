from celery import shared_task

from . import pdf, render
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
            raise pdf.FlyerLayoutError("No print runs were chosen.")
        spec = batch.flyer.spec(grayscale=batch.grayscale)
        urls = [run.qr_url() for run in runs]
        path = render.render_pdf(spec, batch.layout, crop_marks=batch.crop_marks, qr_urls=urls)
    except pdf.FlyerLayoutError as exc:
        batch.fail(str(render.user_message(exc)))
        return False
    batch.finish(path.stem, render.page_count(path))
    return True


@shared_task
def prune_cache():
    """Periodic: drop cached flyer files nobody used for a month."""
    return render.prune_cache()
