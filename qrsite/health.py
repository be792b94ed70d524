"""Health endpoints: liveness for load balancers, readiness and dependency state for monitoring.

`GET /healthz` (liveness) says this process answers HTTP and asks no dependency: a load
balancer that drains nodes on it must not drain all of them because the shared Redis or
database blinked, while cached redirects (and, without Redis, everything) still work.

`GET /healthz/ready` probes the database, the cache, the broker and the media volume at once
and answers within HEALTH_PROBE_TIMEOUT whatever they do: 200 when every one answers, 503
naming the ones that do not (`"down": [...]`). Each probe is of something this deployment
configured and a ready instance needs: the database always; the cache only matters when it is
Redis (REDIS_URL: the rate limits, idempotency keys and redirect cache every process shares; a
process-local cache cannot be down); the broker when tasks go through one (exports, imports,
webhooks are not started without it); the media volume when files live on a local disk
(uploads and job results fail on a full one: less than HEALTH_MEDIA_MIN_FREE_BYTES free counts
as down). Scans keep redirecting through all of this (that is what /healthz says); readiness
says whether this instance can do everything it is meant to. Anonymous callers see
ok/unavailable per component; error text, hosts and timings are for monitoring
(`Authorization: Bearer $HEALTH_TOKEN`, or a staff session).
"""

from __future__ import annotations

import errno
import hmac
import os
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> dict:
    # A connection of its own, opened and closed here: the probe must not depend on (or
    # break) a request thread's connection, and it runs in a thread of its own anyway.
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            if probe.vendor == "postgresql":
                timeout_ms = max(1, int(settings.HEALTH_PROBE_TIMEOUT * 1000))
                cursor.execute(f"SET statement_timeout = {timeout_ms}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": probe.vendor}
    finally:
        probe.close()


def _cache() -> dict:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was written")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict:
    from qrsite.celery import app

    if app.conf.task_always_eager:
        # Embedded mode: tasks run in-process, there is no broker to be down.
        return {"mode": "eager"}
    timeout = settings.HEALTH_PROBE_TIMEOUT
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    with app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=0)  # one attempt: kombu's retries sleep seconds
    return {"mode": "broker"}


def _media() -> dict:
    from django.core.files.storage import FileSystemStorage, default_storage

    if not isinstance(default_storage, FileSystemStorage):
        # Object storage (S3 and the like) has no "full"; its outages show as failed writes.
        return {"backend": type(default_storage).__name__}
    volume = Path(default_storage.location)
    while not volume.exists():  # nothing uploaded yet: the folder is made on the first write
        volume = volume.parent
    stats = os.statvfs(volume)
    free = stats.f_bavail * stats.f_frsize
    if free < settings.HEALTH_MEDIA_MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"{free // 1024} KiB free on the media volume")
    return {"free_mb": free // (1024 * 1024)}


PROBES = {"database": _database, "cache": _cache, "broker": _broker, "media": _media}

_running: dict[str, Future] = {}
_running_lock = threading.Lock()


def _run(probe, future: Future) -> None:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:
        future.set_result({"ok": False, "error": type(exc).__name__, "detail": str(exc)[:200]})
    else:
        ms = round((time.perf_counter() - started) * 1000, 1)
        future.set_result({"ok": True, "ms": ms, **detail})


def _start(name: str) -> Future:
    # One probe per dependency at a time in a process: a dependency that hangs keeps one
    # thread waiting (until its own timeout), not one per health request.
    with _running_lock:
        future = _running.get(name)
        if future is None or future.done():
            future = _running[name] = Future()
            threading.Thread(
                target=_run, args=(PROBES[name], future), name=f"healthz-{name}", daemon=True
            ).start()
    return future


def _check_all() -> dict[str, dict]:
    futures = {name: _start(name) for name in PROBES}
    deadline = time.monotonic() + settings.HEALTH_PROBE_TIMEOUT
    checks = {}
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            checks[name] = {
                "ok": False,
                "error": "Timeout",
                "detail": f"no answer within {settings.HEALTH_PROBE_TIMEOUT} s",
            }
    return checks


def _may_see_details(request) -> bool:
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return bool(request.user.is_staff)
    except Exception:
        return False  # the session store (the database) is down: anonymous it is


@never_cache
@require_safe
def readiness(request):
    checks = _check_all()
    down = [name for name, check in checks.items() if not check["ok"]]
    if not _may_see_details(request):
        # Error text names hosts, ports and users: not for whoever can reach the node.
        checks = {name: "ok" if check["ok"] else "unavailable" for name, check in checks.items()}
    return JsonResponse(
        {"status": "unavailable" if down else "ok", "down": down, "checks": checks},
        status=503 if down else 200,
    )
