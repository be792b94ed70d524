"""A Redis server of the test's own, to pause or kill (never the shared one on 6379)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest
import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OwnRedis:
    url: str
    admin: redis.Redis
    process: subprocess.Popen

    def freeze(self) -> None:
        """Stop the server process: connections stay open and nothing answers (a hung host)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@contextlib.contextmanager
def own_redis_server():
    """Yields an OwnRedis for a fresh, empty redis-server; killed afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs the redis-server binary")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    admin = redis.Redis.from_url(url, socket_timeout=2)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                admin.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield OwnRedis(url, admin, server)
    finally:
        admin.close()
        server.kill()
        server.wait(timeout=10)
