"""Print benchmark (issue 16): label sheets, with baselines measured in the same run.

    .venv/bin/python benchmarks/print.py                  # 10,000 labels
    .venv/bin/python benchmarks/print.py --labels 1000    # quick

Everything runs on the embedded default: a fresh SQLite file and media folder in a temporary
directory, the filesystem broker, a real `celery -A qrsite worker --concurrency=2`.

1. A labels job of 10,000 styled codes (rounded modules and finders, circle balls, two
   colours, a logo) on Avery L7163 sheets with two text lines, timed from the job's creation
   to the PDF in storage; its size. Targets ≤ 30 s, ≤ 25 MB.
   Baseline: the same labels drawn and written by the engine in this one process.
2. Naive WeasyPrint: the same styled labels as HTML (each code an inline SVG from the engine,
   text in the page's font), two A4 sheets of 14 converted by WeasyPrint, per sheet, and what
   that makes for the run's sheets.
3. One proof page (`labels_proof`: first page drawn with outlines, rasterised by pdftoppm),
   median of 5. Target ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from jobs_setup import configure, copies_of, logo_png, owner, run_job, setup_django, write_readme

STYLE = {
    "module_shape": "rounded",
    "finder_frame_shape": "rounded",
    "finder_ball_shape": "circle",
    "foreground_color": "#1A3D7C",
    "finder_ball_color": "#C1121F",
    "logo_size": 0.2,
}


def styled_codes(count: int):
    """`count` styled dynamic codes with a logo in one group, inserted directly (setup)."""
    from codes import services as code_services

    workspace, user = owner("print")
    logo = code_services.logo_create(workspace=workspace, actor=user, data=logo_png())
    group = code_services.group_create(workspace=workspace, actor=user, name="Shelves")
    first = code_services.code_create(
        workspace=workspace, actor=user, destination="https://shop.example.com/s/0",
        style=STYLE, logo=logo, group=group, name="Shelf 0",
    )  # fmt: skip
    copies_of(
        first, count,
        destination=lambda i: f"https://shop.example.com/s/{i}", name=lambda i: f"Shelf {i}",
    )  # fmt: skip
    return workspace, user, group


def bench_job(workspace, user, group, env, tmp) -> dict:
    from jobs import services

    options = services.label_options(sheet="avery-l7163", lines=["name", "short_url"])
    run = run_job(
        lambda: services.labels_start(
            workspace=workspace, actor=user, source={"group": group.slug}, options=options
        ),
        env,
        tmp,
    )
    job = run["job"]
    return {"total": run["seconds"], "labels": job.summary["labels"], "pages": job.summary["pages"],
            "mb": job.result_file.size / 2**20,
            "cpu_ms": run["worker_cpu"] / job.summary["labels"] * 1000}  # fmt: skip


def bench_serial(workspace, group) -> dict:
    from codes.rendering import sheets
    from jobs.services import label_options
    from jobs.services.labels import _Logos, label_item

    options = label_options(sheet="avery-l7163", lines=["name", "short_url"])
    codes = group.codes.select_related("logo", "group").order_by("id")
    start, cpu = time.perf_counter(), time.process_time()
    logos = _Logos()
    items = (label_item(code, options, logos) for code in codes.iterator(2000))
    sheets.write_labels(items, options.sheet, options.design)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def bench_weasyprint(group, sheets_count: int = 2) -> float:
    """Seconds per A4 sheet of 14 labels, each code an inline SVG, through WeasyPrint."""
    from weasyprint import HTML

    from codes import services as code_services
    from codes.rendering import Style, render

    codes = list(group.codes.select_related("logo").order_by("id")[: 14 * sheets_count])
    logo = codes[0].logo.read_bytes()
    start = time.perf_counter()
    cells = []
    for code in codes:
        svg = render(code_services.code_payload(code), Style.from_dict(code.style),
                     format="svg", size=400, logo=logo).decode()  # fmt: skip
        svg = svg.replace("<svg ", '<svg width="34mm" height="34mm" ', 1)
        cells.append(f'<div class="l">{svg}<div class="t"><b>{code.name}</b><br>'
                     f"{code.short_url}</div></div>")  # fmt: skip
    html = (
        "<html><head><style>@page{size:A4;margin:15.15mm 4.65mm}"
        "body{margin:0;font:9pt DejaVu Sans}.l{display:inline-flex;width:99.1mm;height:38.1mm;"
        "box-sizing:border-box;padding:2mm;align-items:center;gap:2mm;overflow:hidden}"
        ".l:nth-child(2n){margin-left:2.5mm}</style></head><body>"
        + "".join(cells)
        + "</body></html>"
    )
    HTML(string=html).write_pdf()
    return (time.perf_counter() - start) / sheets_count


def bench_proof(workspace, user, group) -> float:
    from jobs import services

    options = services.label_options(sheet="avery-l7163", lines=["name", "short_url"])
    times = []
    for _ in range(6):
        start = time.perf_counter()
        services.labels_proof(workspace=workspace, actor=user, source={"group": group.slug},
                              options=options)  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * 1000  # the first one warms the caches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qr-bench-print-") as name:
        tmp = Path(name)
        env = configure(tmp)
        setup_django()
        workspace, user, group = styled_codes(args.labels)
        proof_ms = bench_proof(workspace, user, group)
        weasy = bench_weasyprint(group)
        serial = bench_serial(workspace, group)
        job = bench_job(workspace, user, group, env, tmp)
    load = os.getloadavg()
    sheets = job["pages"]
    ok = "✅"
    lines = [
        "| measurement | this run | baseline (same run) | target |",
        "|---|---:|---:|---|",
        f"| {job['labels']:,} styled labels with a logo on Avery L7163 ({sheets:,} sheets), "
        f"labels job, worker ×2 processes | {job['total']:.1f} s "
        f"({job['labels'] / job['total']:,.0f} labels/s; worker CPU {job['cpu_ms']:.1f} ms a "
        f"label) | {serial['seconds']:.1f} s: the engine in one process "
        f"({serial['cpu'] / job['labels'] * 1000:.1f} ms CPU a label); naive WeasyPrint HTML "
        f"{weasy:.2f} s per sheet ≈ {weasy * sheets / 60:.1f} min "
        f"| ≤ 30 s {ok if job['total'] <= 30 else '❌'} |",
        f"| its PDF | {job['mb']:.1f} MB ({job['mb'] * 2**20 / job['labels'] / 1024:.2f} KB a "
        f"label) | | ≤ 25 MB {ok if job['mb'] <= 25 else '❌'} |",
        f"| one proof page (L7163, outlines, pdftoppm at 60 dpi), median of 5 | {proof_ms:.0f} ms "
        f"| | ≤ 300 ms {ok if proof_ms <= 300 else '❌'} |",
    ]
    table = "\n".join(lines)
    conditions = (
        f"Python {platform.python_version()}, SQLite, {os.cpu_count()} cores shared with other "
        f"work, load average {load[0]:.1f} (15 min: {load[2]:.1f}) at the end of the run."
    )
    print(table)
    print(conditions)
    if args.write_readme:
        write_readme("print", table, conditions, "\n## Print: label sheets (issue 16)\n\n" + BLURB)


BLURB = (
    "`benchmarks/print.py`: a labels job of styled codes with a logo on L7163 sheets through a "
    "real worker with 2 processes (chunks of drawings in parallel, then one PDF writer), the "
    "same labels in one process, naive WeasyPrint HTML per sheet, and one proof page.\n"
)

if __name__ == "__main__":
    main()
