"""Beat schedules and a real worker process runs: on the embedded broker `make run` uses,
and on Redis as in production."""

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from hamla.tasks import HEARTBEAT_KEY
from tests.services import celery_process, need_redis, process_env, wait_for


def run_worker_and_beat(env, tmp_path, read_heartbeat):
    with (
        celery_process(
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            env=env,
            log_path=tmp_path / "worker.log",
        ),
        celery_process("beat", "--loglevel=INFO", env=env, log_path=tmp_path / "beat.log"),
    ):
        beat = wait_for(read_heartbeat, timeout=40)
    logs = (tmp_path / "worker.log").read_text(errors="replace") + (tmp_path / "beat.log").read_text(errors="replace")
    assert beat, f"no heartbeat recorded; logs:\n{logs[-3000:]}"
    assert "Sending due task heartbeat" in logs
    assert "hamla.tasks.heartbeat" in logs and "succeeded" in logs


def test_beat_and_a_worker_run_a_scheduled_task_on_the_embedded_broker(tmp_path):
    var = tmp_path / "var"
    env = process_env(HAMLA_VAR_DIR=var, REDIS_URL="", HAMLA_HEARTBEAT_SECONDS=1, DATABASE_URL="")
    cache = FileBasedCache(str(var / "cache"), {})
    run_worker_and_beat(env, tmp_path, lambda: cache.get(HEARTBEAT_KEY))


def test_beat_and_a_worker_run_a_scheduled_task_on_redis(tmp_path, broker):
    url = broker
    client = need_redis(url)
    cache = RedisCache(url, {})
    client.delete(cache.make_key(HEARTBEAT_KEY))
    env = process_env(HAMLA_VAR_DIR=tmp_path / "var", REDIS_URL=url, HAMLA_HEARTBEAT_SECONDS=1)
    run_worker_and_beat(env, tmp_path, lambda: cache.get(HEARTBEAT_KEY))
