"""A proof: the first page of a sheet PDF as a PNG, rasterised by poppler's ``pdftoppm``
(Debian's ``poppler-utils``), so what the browser shows is the very file that prints."""

from __future__ import annotations

import shutil
import subprocess

from ..errors import SpecError

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"


def proof_png(pdf: bytes, *, dpi: int = 60, page: int = 1) -> bytes:
    if not 20 <= dpi <= 600:
        raise SpecError({"dpi": "use 20 to 600 dpi"})
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, our own PDF on stdin
            [
                PDFTOPPM,
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-",
            ],
            input=pdf,
            capture_output=True,
            timeout=30,
            check=True,
        )
    except FileNotFoundError:
        raise RuntimeError("pdftoppm is missing: install poppler-utils") from None
    return done.stdout
