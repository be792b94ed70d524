"""The command line of a real Celery worker for the tests that start one as a subprocess."""

import sys


def celery_worker_command(queue: str, *extra: str, loglevel: str = "WARNING") -> list[str]:
    """One solo worker on `queue`, with none of the chatter between workers (gossip, mingle,
    heartbeats) that only slows a single test worker's start and stop."""
    return [
        sys.executable, "-m", "celery", "-A", "qrsite", "worker", *extra,
        "--pool=solo", "--concurrency=1", "-Q", queue,
        "--without-heartbeat", "--without-gossip", "--without-mingle", f"--loglevel={loglevel}",
    ]  # fmt: skip
