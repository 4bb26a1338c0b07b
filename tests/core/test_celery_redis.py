"""core.celery_redis: kombu's Redis transport sharing one client per channel."""

import os

from kombu import Connection

TRANSPORT = "core.celery_redis:Transport"


def test_a_channel_sends_every_command_through_one_client(redis_service):
    with Connection(redis_service, transport=TRANSPORT) as connection:
        channel = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second


def test_a_message_published_through_it_is_delivered(redis_service):
    name = f"hamla-test-celery-redis-{os.getpid()}"
    with Connection(redis_service, transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue(name)
        try:
            queue.put({"response": 7})
            message = queue.get(timeout=5)
            message.ack()
        finally:
            queue.queue.delete()
            queue.close()
    assert message.payload == {"response": 7}
