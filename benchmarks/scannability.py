"""Calibration sweep for the scannability guard: how often each decoder reads each condition.

    .venv/bin/python benchmarks/scannability.py                 # 1,200 designs (seeded sample)
    .venv/bin/python benchmarks/scannability.py --samples 0     # the whole grid
    .venv/bin/python benchmarks/scannability.py --write-docs    # record the tables in docs/styling.md

Designs are drawn from content types x module shapes x eye shapes x colours x logo sizes x
delivered sizes, rendered exactly as they are delivered (PNG at that width), then read by both
decoders as delivered and under each condition of ``codes.rendering.decoders.CONDITIONS``. The
guard is *not* consulted: this measures the raw material its thresholds are chosen from.

Tables: passes per decoder and condition; as-delivered and robust rates by pixels per module
(what the size floor is chosen from); and the score distribution.
"""

import argparse
import io
import itertools
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from codes.rendering import Style, encode_content  # noqa: E402
from codes.rendering.decoders import (  # noqa: E402
    CONDITIONS,
    conditions_read,
    decoders,
    reads,
    score_of,
)
from codes.rendering.geometry import layout  # noqa: E402
from codes.rendering.logo import prepare_logo  # noqa: E402
from codes.rendering.png import compose  # noqa: E402
from codes.rendering.scene import build_scene  # noqa: E402

MARKER_START, MARKER_END = "<!-- scannability:start -->", "<!-- scannability:end -->"

CONTENTS = {
    "short url": "https://qr.example.com/r/Ab3dE9x",
    "long url": "https://shop.example.com/collections/spring-2026/linen-shirt?utm_source=qr&utm_medium=print&utm_campaign=spring",
    "vcard": encode_content(
        "vcard",
        {
            "first_name": "Jane",
            "last_name": "Doe",
            "organization": "Acme Corporation",
            "title": "Head of Partnerships",
            "phone": "+1 555 123 4567",
            "email": "jane.doe@example.com",
            "website": "https://example.com/jane",
            "street": "1 Main Street",
            "city": "Springfield",
            "postal_code": "62701",
            "country": "USA",
        },
    ),
    "wifi": encode_content(
        "wifi", {"ssid": "Office Guest", "password": "correct horse battery", "security": "WPA"}
    ),
    "text": "Welcome to the spring fair! Café, stalls and music from 10:00 — see you there.",
}
MODULES = ("square", "rounded", "dots", "gapped", "vbars", "hbars")
EYES = {
    "square": ("square", "square"),
    "rounded": ("rounded", "rounded"),
    "circle": ("circle", "circle"),
    "circle frame, square ball": ("circle", "square"),
    "circle frame, rounded ball": ("circle", "rounded"),
}
COLOURS = {
    "black": {},
    "navy, blue eyes": {"foreground_color": "#1e293b", "finder_frame_color": "#1d4ed8"},
    "dark gradient": {
        "gradient": {"kind": "linear", "start_color": "#111827", "end_color": "#1d4ed8"}
    },
    "light gradient end": {
        "gradient": {"kind": "radial", "start_color": "#1e3a8a", "end_color": "#3b82f6"}
    },
    "transparent, EC L": {"background_color": "transparent", "error_correction": "L"},
}
LOGOS = (None, 0.2, 0.3)
SIZES = (120, 160, 200, 256, 300, 400, 600)


def _logo() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 232, 232), radius=48, fill=(220, 38, 38, 255))
    draw.ellipse((70, 70, 170, 170), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def grid():
    return list(
        itertools.product(CONTENTS, MODULES, EYES, COLOURS, LOGOS, SIZES),
    )


def measure(design, logo):
    content, module, eyes, colour, logo_size, size = design
    frame_shape, ball_shape = EYES[eyes]
    options = {
        "module_shape": module,
        "finder_frame_shape": frame_shape,
        "finder_ball_shape": ball_shape,
        **COLOURS[colour],
    }
    if logo_size is not None:
        options["logo_size"] = logo_size
    style = Style.from_dict(options)
    payload = CONTENTS[content]
    scene = build_scene(payload, style, logo if logo_size is not None else None)
    try:
        unit = layout(scene.geom, style, size).unit
    except Exception:
        return None  # smaller than one pixel per module: refused outright
    image = compose(scene, size)
    delivered = reads(image, payload)
    results = conditions_read(image, payload, unit) if all(delivered.values()) else {}
    return unit, delivered, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1200, help="0 = the whole grid")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    designs = grid()
    if args.samples:
        designs = random.Random(args.seed).sample(designs, min(args.samples, len(designs)))
    logo = prepare_logo(_logo())
    names = decoders()
    started = time.perf_counter()

    delivered_pass = Counter()
    condition_pass = defaultdict(Counter)
    by_unit = defaultdict(Counter)
    by_eyes = defaultdict(Counter)
    scores = Counter()
    measured = 0
    for design in designs:
        outcome = measure(design, logo)
        if outcome is None:
            continue
        measured += 1
        unit, delivered, results = outcome
        for name, ok in delivered.items():
            delivered_pass[name] += ok
        both = all(delivered.values())
        delivered_pass["both"] += both
        score = score_of(results) if both else 0.0
        scores[score] += 1
        bucket = f"{int(unit)}" if unit < 8 else "8+"
        by_unit[bucket]["designs"] += 1
        by_unit[bucket]["delivered"] += both
        by_unit[bucket]["robust"] += score == 1.0
        by_unit[bucket]["score>=0.5"] += score >= 0.5
        by_eyes[design[2]]["designs"] += 1
        by_eyes[design[2]]["delivered"] += both
        by_eyes[design[2]]["robust"] += score == 1.0
        for condition, by_decoder in results.items():
            for name, ok in by_decoder.items():
                condition_pass[condition][name] += ok
            condition_pass[condition]["both"] += all(by_decoder.values())
    elapsed = time.perf_counter() - started

    lines = [
        f"{measured} designs ({len(designs)} drawn from a grid of {len(grid())}, seed "
        f"{args.seed}); decoders: {', '.join(names)}; {elapsed:.0f} s.",
        "",
        "| condition | " + " | ".join(names) + " | both |",
        "|---|" + "---:|" * (len(names) + 1),
        "| as delivered | "
        + " | ".join(f"{delivered_pass[n]}/{measured}" for n in names)
        + f" | {delivered_pass['both']}/{measured} |",
    ]
    base = delivered_pass["both"]
    for condition in CONDITIONS:
        row = condition_pass[condition.name]
        lines.append(
            f"| {condition.name} ({condition.stands_for}) | "
            + " | ".join(f"{row[n]}/{base}" for n in names)
            + f" | {row['both']}/{base} |"
        )
    lines += [
        "",
        "Conditions are tried on the designs both decoders read as delivered.",
        "",
        "| px per module | designs | read as delivered | score ≥ 0.5 | robust (all conditions) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for bucket in sorted(by_unit, key=lambda b: 99 if b == "8+" else int(b)):
        row = by_unit[bucket]
        n = row["designs"]
        lines.append(
            f"| {bucket} | {n} | {row['delivered'] / n:.0%} | {row['score>=0.5'] / n:.0%} "
            f"| {row['robust'] / n:.0%} |"
        )
    lines += ["", "| eyes | designs | read as delivered | robust |", "|---|---:|---:|---:|"]
    for eyes, row in by_eyes.items():
        n = row["designs"]
        lines.append(f"| {eyes} | {n} | {row['delivered'] / n:.0%} | {row['robust'] / n:.0%} |")
    lines += ["", "| score | designs |", "|---:|---:|"]
    for score in sorted(scores, reverse=True):
        lines.append(f"| {score:.2f} | {scores[score]} |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        path = ROOT / "docs" / "styling.md"
        text = path.read_text()
        block = f"{MARKER_START}\n{table}\n{MARKER_END}"
        if MARKER_START in text:
            head, rest = text.split(MARKER_START, 1)
            text = head + block + rest.split(MARKER_END, 1)[1]
        else:
            text += "\n" + block + "\n"
        path.write_text(text)


if __name__ == "__main__":
    main()
