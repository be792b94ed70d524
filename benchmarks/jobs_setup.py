"""What the job benchmarks (`bulk.py`, `print.py`) share: the embedded default in a temporary
directory (a fresh SQLite file and media folder, the filesystem broker), a workspace with its
owner, a logo, a real `celery -A qrsite worker` with 2 processes, timing a job from its
creation to its result, and the README block each writes.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
README = ROOT / "benchmarks" / "README.md"


def configure(tmp: Path) -> dict:
    """Point this process (and return the environment for its children) at `tmp`."""
    env = {
        "DJANGO_SETTINGS_MODULE": "qrsite.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp / "broker"),
        "SHORT_URL_BASE": "https://qr.example.com/r/",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"):
        os.environ.pop(name, None)
    os.environ.update(env)
    return {**dict(os.environ.items()), **env}


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def owner(slug: str):
    """A new workspace and its owner."""
    from accounts.models import Membership, User, Workspace

    user, _ = User.objects.get_or_create(email=f"{slug}@bench.example")
    workspace = Workspace.objects.create(name=slug, slug=slug)
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    return workspace, user


def logo_png() -> bytes:
    """A 256 px logo: a red disc with a white square, on transparency."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 255, 255), fill=(230, 60, 40, 255))
    draw.rectangle((80, 80, 175, 175), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def copies_of(first, count: int, **fields: Callable[[int], object]):
    """`count - 1` more dynamic codes like `first` (its checked style and logo), inserted
    directly: setup, not what is measured. `fields` give per-code values by position."""
    from codes.models import QRCode, SlugClaim
    from qrsite.ids import random_base62

    slugs = [random_base62(7) for _ in range(count - 1)]
    SlugClaim.objects.bulk_create([SlugClaim(slug=s) for s in slugs])
    QRCode.objects.bulk_create(
        QRCode(
            workspace=first.workspace, created_by=first.created_by, kind="dynamic",
            content_type="url", slug=slug, style=first.style, logo=first.logo,
            group=first.group, **{name: value(i) for name, value in fields.items()},
        )
        for i, slug in enumerate(slugs, 1)
    )  # fmt: skip


@contextlib.contextmanager
def worker(env: dict, tmp: Path, concurrency: int = 2) -> Iterator[subprocess.Popen]:
    """A real Celery worker with `concurrency` processes, ready before the block starts."""
    path = tmp / "worker.log"
    log = path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qrsite", "worker",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
         "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        # Celery says "ready" once its pool is up; on a loaded machine that took 10 s, and a
        # clock started before it measured the start-up too.
        deadline = time.monotonic() + 180
        while b" ready." not in path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {path}")
            time.sleep(0.2)
        time.sleep(1)  # its start-up tasks (looking for stale jobs) out of the way
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


def children_cpu() -> float:
    """CPU seconds (user + system) of the waited-for children: the worker once it stopped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_job(start: Callable[[], object], env: dict, tmp: Path) -> dict:
    """Start a job (`start()` returns it) with a worker running; seconds from its creation to
    its result, and the worker's CPU seconds (its two processes and their parent)."""
    from django.db import transaction

    from jobs.models import Job

    before = children_cpu()
    with worker(env, tmp):
        began = time.perf_counter()
        with transaction.atomic():
            job = start()
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - began
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", (job.status, job.error_summary)
    return {"job": job, "seconds": elapsed, "worker_cpu": children_cpu() - before}


def write_readme(marker: str, table: str, conditions: str, blurb: str = "") -> None:
    """Replace the block between `<!-- marker:start -->` and `<!-- marker:end -->`."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = README.read_text()
    block = f"{start}\n{table}\n\n{conditions}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text += "\n" + blurb + block + "\n"
    README.write_text(text)
