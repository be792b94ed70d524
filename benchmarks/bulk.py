"""Bulk benchmark (issue 14): imports, ZIP exports and an import's memory, with baselines
measured in the same run.

    .venv/bin/python benchmarks/bulk.py                   # the three targets, full size
    .venv/bin/python benchmarks/bulk.py --rows 2000 --codes 1000 --rss-rows 20000   # quick

Everything runs on the embedded default: a fresh SQLite file and media folder in a temporary
directory, the filesystem broker, real `celery -A qrsite worker` processes.

1. A 10,000-row CSV → 10,000 dynamic codes, all or nothing (every row checked by
   `code_create_many` in a rolled-back pass, then created in chunks), run by the job runner
   in this process. Baseline: the same 10,000 codes through `code_create_many` in chunks of
   1,000 without a job (no check pass, no ledger, no results CSV). Target ≤ 10 s.
2. A ZIP of 10,000 styled PNGs (rounded modules and finders, gradient, logo) at 400 px, every
   one decoded back, by a worker with 2 processes (`--concurrency=2`), timed from the export's
   creation to its ZIP in storage. Baseline: the same count rendered by plain segno
   (`segno.make(...).save(png, scale=...)`) in one process. Target ≤ 20 s on 2 cores. The
   codes are inserted directly for this row (their guard check at creation is not what is
   measured).
3. Peak RSS of a process importing 100,000 rows (valid-rows mode, one pass), read from the
   kernel (`wait4`'s ru_maxrss) for a child process that does only the import. Baseline: the
   same child doing nothing but start Django. Target ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MARKER_START, MARKER_END = "<!-- bulk:start -->", "<!-- bulk:end -->"


def configure(tmp: Path) -> dict:
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


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def csv_file(rows: int, prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["url", "name", "sku"])
    for i in range(rows):
        writer.writerow(
            [f"https://shop.example.com/p/{prefix}/{i}", f"Product {i}", f"{prefix}-{i}"]
        )
    return out.getvalue().encode()


def owner(slug: str):
    from accounts.models import Membership, User, Workspace

    user, _ = User.objects.get_or_create(email=f"{slug}@bench.example")
    workspace = Workspace.objects.create(name=slug, slug=slug)
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    return workspace, user


def bench_import(rows: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from codes import services as code_services
    from codes.models import QRCode
    from jobs import services
    from jobs.services.runner import job_run

    # Baseline: code_create_many in chunks of 1,000, nothing else.
    workspace, user = owner("baseline")
    items = [
        {
            "destination": f"https://shop.example.com/b/{i}",
            "name": f"Product {i}",
            "external_id": f"b-{i}",
        }
        for i in range(rows)
    ]
    start = time.perf_counter()
    for at in range(0, rows, 1000):
        with transaction.atomic():
            code_services.code_create_many(
                workspace=workspace, actor=user, items=items[at : at + 1000]
            )
    baseline = time.perf_counter() - start

    workspace, user = owner("import")
    data = csv_file(rows, "imp")
    start = time.perf_counter()
    upload = services.import_file_create(
        workspace=workspace, actor=user, file=SimpleUploadedFile("p.csv", data), name="p.csv"
    )
    job = services.import_start(
        upload=upload,
        actor=user,
        mapping={"url": "destination", "name": "name", "sku": "external_id"},
    )
    read = time.perf_counter() - start
    job_run(job_pk=job.pk)
    total = time.perf_counter() - start
    job.refresh_from_db()
    created = QRCode.objects.filter(workspace=workspace).count()
    if job.status != "succeeded" or created != rows:
        raise SystemExit(f"import failed: {job.status} {job.error_summary} ({created} codes)")
    return {"baseline": baseline, "total": total, "read": read, "rows": rows}


def styled_codes(count: int):
    """`count` styled dynamic codes with a logo, inserted directly (setup, not measured)."""
    from PIL import Image, ImageDraw

    from codes import services as code_services
    from codes.models import QRCode, SlugClaim
    from qrsite.ids import random_base62

    workspace, user = owner("export")
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 255, 255), fill=(230, 60, 40, 255))
    draw.rectangle((80, 80, 175, 175), fill=(255, 255, 255, 255))
    png = io.BytesIO()
    image.save(png, "PNG")
    logo = code_services.logo_create(workspace=workspace, actor=user, data=png.getvalue())
    style = {
        "module_shape": "rounded",
        "finder_frame_shape": "rounded",
        "finder_ball_shape": "circle",
        "gradient": {"start_color": "#1A3D7C", "end_color": "#5B1A7C", "angle": 45},
        "logo_size": 0.2,
    }
    # One through the service: the design must pass the guard like any real code's.
    first = code_services.code_create(
        workspace=workspace, actor=user, destination="https://shop.example.com/e/0",
        style=style, logo=logo, external_id="e-0",
    )  # fmt: skip
    slugs = [random_base62(7) for _ in range(count - 1)]
    SlugClaim.objects.bulk_create([SlugClaim(slug=s) for s in slugs])
    QRCode.objects.bulk_create(
        QRCode(
            workspace=workspace, created_by=user, kind="dynamic", content_type="url",
            destination=f"https://shop.example.com/e/{i}", slug=slug, style=first.style,
            logo=logo, external_id=f"e-{i}", name=f"Label {i}",
        )
        for i, slug in enumerate(slugs, 1)
    )  # fmt: skip
    return workspace, user


def bench_plain_segno(count: int) -> float:
    import segno

    start = time.perf_counter()
    for i in range(count):
        qr = segno.make(f"https://qr.example.com/r/{i:07d}", error="m", boost_error=False)
        out = io.BytesIO()
        # 400 px: the scale that makes the symbol (with its quiet zone) closest to 400.
        qr.save(out, kind="png", scale=max(1, 400 // qr.symbol_size()[0]))
    return time.perf_counter() - start


def bench_export(count: int, env: dict, tmp: Path) -> dict:
    from django.db import transaction

    from jobs import services
    from jobs.models import Job

    workspace, user = styled_codes(count)
    log = (tmp / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qrsite", "worker", "--concurrency=2",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(6)  # the worker's processes are up before the clock starts
        start = time.perf_counter()
        with transaction.atomic():
            job = services.export_start(
                workspace=workspace, actor=user, source={"filter": {}}, formats=["png"], size=400
            )
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", (job.status, job.error_summary)
    if job.summary["codes"] != count or job.summary["not_decoded"]:
        raise SystemExit(f"export incomplete: {job.summary}")
    return {"total": elapsed, "codes": count, "zip_mb": job.result_file.size / 2**20}


def child_rss(mode: str, rows: int, env: dict) -> tuple[float, float]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, "--rows", str(rows)], cwd=ROOT, env=env
    )
    start = time.perf_counter()
    _, status, usage = os.wait4(process.pid, 0)
    assert status == 0, f"the {mode} child failed"
    return usage.ru_maxrss / 1024, time.perf_counter() - start  # KiB → MiB on Linux


def child(mode: str, rows: int) -> None:
    setup_django()
    if mode == "idle":
        return
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jobs import services
    from jobs.services.runner import job_run

    workspace, user = owner(f"rss{os.getpid()}")
    path = Path(os.environ["MEDIA_ROOT"]).parent / "big.csv"
    with path.open("rb") as f:
        upload = services.import_file_create(
            workspace=workspace,
            actor=user,
            file=SimpleUploadedFile("big.csv", f.read()),
            name="big.csv",
        )
    job = services.import_start(
        upload=upload, actor=user, mode="valid_rows",
        mapping={"url": "destination", "name": "name", "sku": "external_id"},
    )  # fmt: skip
    job_run(job_pk=job.pk)
    job.refresh_from_db()
    if job.status != "succeeded" or job.summary["created"] != rows:
        raise SystemExit(f"import failed: {job.summary}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--rss-rows", type=int, default=100_000)
    parser.add_argument("--child")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    with tempfile.TemporaryDirectory(prefix="qr-bench-bulk-") as name:
        tmp = Path(name)
        env = configure(tmp)
        setup_django()
        imp = bench_import(args.rows)
        plain = bench_plain_segno(args.codes)
        exp = bench_export(args.codes, env, tmp)
        (tmp / "big.csv").write_bytes(csv_file(args.rss_rows, "rss"))
        idle_rss, _ = child_rss("idle", 0, env)
        rss, rss_time = child_rss("import", args.rss_rows, env)
    load = os.getloadavg()[0]
    lines = [
        "| measurement | this run | baseline (same run) | target |",
        "|---|---:|---:|---|",
        f"| {imp['rows']:,}-row CSV → {imp['rows']:,} dynamic codes, checked then created (job) "
        f"| {imp['total']:.1f} s ({imp['rows'] / imp['total']:,.0f} rows/s) "
        f"| {imp['baseline']:.1f} s: `code_create_many` ×{imp['rows'] // 1000} chunks, no job "
        f"| ≤ 10 s {'✅' if imp['total'] <= 10 else '❌'} |",
        f"| ZIP of {exp['codes']:,} styled PNG (rounded, gradient, logo) at 400 px, all decoded, "
        f"worker ×2 processes | {exp['total']:.1f} s ({exp['codes'] / exp['total']:,.0f} codes/s, "
        f"{exp['zip_mb']:.0f} MB) | {plain:.1f} s: plain segno PNG, 1 process "
        f"| ≤ 20 s {'✅' if exp['total'] <= 20 else '❌'} |",
        f"| peak RSS importing {args.rss_rows:,} rows (valid rows, {rss_time:.0f} s) "
        f"| {rss:.0f} MB | {idle_rss:.0f} MB: the same process, Django started only "
        f"| ≤ 300 MB {'✅' if rss <= 300 else '❌'} |",
    ]
    table = "\n".join(lines)
    conditions = (
        f"Python {platform.python_version()}, SQLite, {os.cpu_count()} cores, load average "
        f"{load:.1f} at the end of the run."
    )
    print(table)
    print(conditions)
    if args.write_readme:
        readme = ROOT / "benchmarks" / "README.md"
        text = readme.read_text()
        block = f"{MARKER_START}\n{table}\n\n{conditions}\n{MARKER_END}"
        if MARKER_START in text:
            head, rest = text.split(MARKER_START, 1)
            text = head + block + rest.split(MARKER_END, 1)[1]
        else:
            text += "\n" + block + "\n"
        readme.write_text(text)


if __name__ == "__main__":
    main()
