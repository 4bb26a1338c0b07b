import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from flyers import render
from flyers.models import BatchRender
from flyers.tasks import render_batch
from tests.factories import organizer_client
from tests.services import celery_process, process_env, wait_for

from .factories import make_flyer, make_run

# The worker process reads its broker folder and cache from the environment's VAR_DIR.
SHARED_VAR_DIR = django_settings.VAR_DIR


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def make_batch(flyer, runs, **extra):
    batch = BatchRender.objects.create(flyer=flyer, layout=extra.pop("layout", "a4-4up"), **extra)
    batch.print_runs.set(runs)
    return batch


@pytest.mark.django_db
def test_the_task_renders_one_sheet_per_print_run_into_the_cache():
    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer) for _ in range(3)], grayscale=True)
    assert render_batch(batch.pk) is True
    batch.refresh_from_db()
    assert (batch.status, batch.pages) == ("ready", 3)
    assert render.cached_path(batch.content_key).exists()


@pytest.mark.django_db
def test_a_batch_is_rendered_by_one_caller_only():
    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer)])
    assert batch.claim() is True
    assert BatchRender.objects.get(pk=batch.pk).claim() is False
    # A second delivery of the task leaves the claimed batch alone.
    assert render_batch(batch.pk) is False


@pytest.mark.django_db
def test_a_render_abandoned_by_a_dead_worker_can_be_taken_over():
    from django.utils import timezone

    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer)])
    BatchRender.objects.filter(pk=batch.pk).update(
        status="rendering", started=timezone.now() - BatchRender.STALE_AFTER * 2
    )
    assert render_batch(batch.pk) is True
    assert BatchRender.objects.get(pk=batch.pk).status == "ready"


@pytest.mark.django_db
def test_a_batch_that_cannot_be_laid_out_fails_with_the_reason():
    flyer = make_flyer(body_ar="كلمة " * 3000)
    batch = make_batch(flyer, [make_run(flyer)], layout="a6")
    assert render_batch(batch.pk) is False
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "shorten" in batch.error or "اختصار" in batch.error


@pytest.fixture
def open_broker_pools():
    """Producer pools that are open: another suite's fixture may have force-closed the
    process-wide kombu pools this process would otherwise reuse."""
    from kombu import pools

    from hamla.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_a_batch_requested_from_the_flyer_page(tmp_path, settings, open_broker_pools):
    flyer = make_flyer()
    runs = [make_run(flyer, neighbourhood=f"district {i}") for i in range(6)]
    client = organizer_client()
    settings.VAR_DIR = SHARED_VAR_DIR
    env = process_env()
    with celery_process("worker", "--pool=solo", "--loglevel=INFO", env=env, log_path=tmp_path / "worker.log"):
        response = client.post(
            reverse("flyers:batch_create", args=[flyer.pk]),
            {"print_runs": [r.pk for r in runs], "layout": "a4-2up", "ink": "grayscale", "crop_marks": "on"},
        )
        batch = BatchRender.objects.get()
        assert response["Location"] == reverse("flyers:batch", args=[batch.pk])
        ready = wait_for(lambda: BatchRender.objects.filter(pk=batch.pk, status="ready").exists(), timeout=60)
    assert ready, (tmp_path / "worker.log").read_text()[-3000:]
    download = client.get(reverse("flyers:batch_download", args=[batch.pk]))
    assert download.status_code == 200
    path = tmp_path / "batch.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    assert render.page_count(path) == 6


@pytest.mark.django_db
def test_a_batch_whose_task_was_lost_is_sent_again_from_its_page(eager_tasks):
    from django.utils import timezone

    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer)])
    client = organizer_client()
    client.get(reverse("flyers:batch", args=[batch.pk]))
    assert BatchRender.objects.get(pk=batch.pk).status == "queued"  # too early to call it lost
    BatchRender.objects.filter(pk=batch.pk).update(created=timezone.now() - BatchRender.STALE_AFTER)
    page = client.get(reverse("flyers:batch", args=[batch.pk]))
    assert BatchRender.objects.get(pk=batch.pk).status == "ready"
    assert page.status_code == 200


@pytest.mark.django_db
def test_a_batch_whose_file_was_pruned_is_rendered_again(eager_tasks, django_capture_on_commit_callbacks):
    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer), make_run(flyer)], layout="a5")
    render_batch(batch.pk)
    batch.refresh_from_db()
    render.cached_path(batch.content_key).unlink()
    client = organizer_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("flyers:batch_download", args=[batch.pk]))
    assert response["Location"] == reverse("flyers:batch", args=[batch.pk])
    assert BatchRender.objects.get(pk=batch.pk).status == "ready"
    again = client.get(reverse("flyers:batch_download", args=[batch.pk]))
    assert again.status_code == 200


@pytest.mark.django_db
def test_a_batch_hit_by_an_unexpected_error_fails_instead_of_rendering_forever(monkeypatch):
    flyer = make_flyer()
    batch = make_batch(flyer, [make_run(flyer)])

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "render_pdf", disk_full)
    with pytest.raises(OSError):
        render_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.error
