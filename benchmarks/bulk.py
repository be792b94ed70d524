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

from jobs_setup import (
    ROOT,
    configure,
    copies_of,
    logo_png,
    owner,
    run_job,
    setup_django,
    write_readme,
)

MEASURES = ("import", "export", "rss")


def csv_file(rows: int, prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["url", "name", "sku"])
    for i in range(rows):
        writer.writerow(
            [f"https://shop.example.com/p/{prefix}/{i}", f"Product {i}", f"{prefix}-{i}"]
        )
    return out.getvalue().encode()


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
    from codes import services as code_services

    workspace, user = owner("export")
    logo = code_services.logo_create(workspace=workspace, actor=user, data=logo_png())
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
    copies_of(
        first, count,
        destination=lambda i: f"https://shop.example.com/e/{i}",
        external_id=lambda i: f"e-{i}", name=lambda i: f"Label {i}",
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
    from jobs import services

    workspace, user = styled_codes(count)
    run = run_job(
        lambda: services.export_start(
            workspace=workspace, actor=user, source={"filter": {}}, formats=["png"], size=400
        ),
        env,
        tmp,
    )
    job = run["job"]
    if job.summary["codes"] != count or job.summary["not_decoded"]:
        raise SystemExit(f"export incomplete: {job.summary}")
    return {"total": run["seconds"], "codes": count, "zip_mb": job.result_file.size / 2**20,
            "cpu_ms": run["worker_cpu"] / count * 1000}  # fmt: skip


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


def bench_export_one_process(sample: int) -> float:
    """CPU ms per image of the export's own work (render, decode, hash) in this process."""
    from codes.models import QRCode
    from codes.services.images import CodeImages

    codes = list(
        QRCode.objects.filter(workspace__slug="export").select_related("logo").order_by("id")
    )[:sample]
    images = CodeImages(formats=["png"], size=400)
    images.render(codes[0])  # the design's guard verdict: once per export, not per image
    start = time.process_time()
    for code in codes[1:]:
        images.render(code)
    return (time.process_time() - start) / (len(codes) - 1) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--rss-rows", type=int, default=100_000)
    parser.add_argument("--only", action="append", choices=MEASURES,
                        help="measure only this (repeatable); the README needs all three")  # fmt: skip
    parser.add_argument("--child")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    only = set(args.only or MEASURES)
    if args.write_readme and only != set(MEASURES):
        parser.error("--write-readme needs every measurement")
    lines = ["| measurement | this run | baseline (same run) | target |", "|---|---:|---:|---|"]
    with tempfile.TemporaryDirectory(prefix="qr-bench-bulk-") as name:
        tmp = Path(name)
        env = configure(tmp)
        setup_django()
        if "import" in only:
            imp = bench_import(args.rows)
            lines.append(
                f"| {imp['rows']:,}-row CSV → {imp['rows']:,} dynamic codes, checked then "
                f"created (job) | {imp['total']:.1f} s ({imp['rows'] / imp['total']:,.0f} rows/s) "
                f"| {imp['baseline']:.1f} s: `code_create_many` ×{imp['rows'] // 1000} chunks, "
                f"no job | ≤ 10 s {'✅' if imp['total'] <= 10 else '❌'} |"
            )
        if "export" in only:
            plain = bench_plain_segno(args.codes)
            exp = bench_export(args.codes, env, tmp)
            one = bench_export_one_process(min(args.codes, 1000))
            lines.append(
                f"| ZIP of {exp['codes']:,} styled PNG (rounded, gradient, logo) at 400 px, all "
                f"decoded, worker ×2 processes | {exp['total']:.1f} s "
                f"({exp['codes'] / exp['total']:,.0f} codes/s, {exp['zip_mb']:.0f} MB; worker "
                f"CPU {exp['cpu_ms']:.1f} ms a code, {one:.1f} ms of it rendering and decoding) "
                f"| {plain:.1f} s: plain segno PNG, 1 process "
                f"| ≤ 20 s {'✅' if exp['total'] <= 20 else '❌'} |"
            )
        if "rss" in only:
            (tmp / "big.csv").write_bytes(csv_file(args.rss_rows, "rss"))
            idle_rss, _ = child_rss("idle", 0, env)
            rss, rss_time = child_rss("import", args.rss_rows, env)
            lines.append(
                f"| peak RSS importing {args.rss_rows:,} rows (valid rows, {rss_time:.0f} s) "
                f"| {rss:.0f} MB | {idle_rss:.0f} MB: the same process, Django started only "
                f"| ≤ 300 MB {'✅' if rss <= 300 else '❌'} |"
            )
    load = os.getloadavg()
    table = "\n".join(lines)
    conditions = (
        f"Python {platform.python_version()}, SQLite, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} (15 min: {load[2]:.1f}) at the end of the run."
    )
    print(table)
    print(conditions)
    if args.write_readme:
        write_readme("bulk", table, conditions)


if __name__ == "__main__":
    main()
