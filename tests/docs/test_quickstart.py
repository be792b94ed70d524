"""docs/api.md's quickstart, walked literally: the key command, then every curl, Python and
JavaScript snippet marked `<!-- quickstart: run -->`, run as written against a live server
(curl and node as real processes, the Python SDK in a fresh interpreter). Docs that rot fail
here."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from django.core.management import call_command
from PIL import Image

from accounts.models import Role
from codes.models import QRCode
from qrsite.api.errors import ERROR_TABLE_END, ERROR_TABLE_START, error_table_markdown
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"<!-- quickstart: (key|run) -->\n```(\w+)\n(.*?)\n```", re.S)
RUNNERS = {
    "sh": lambda code, path: ["bash", "-euo", "pipefail", "-c", code],
    "python": lambda code, path: [sys.executable, "-c", code],
    "javascript": lambda code, path: ["node", _write(path / "snippet.mjs", code)],
}


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def snippets() -> list[tuple[str, str, str]]:
    return BLOCK.findall(DOC.read_text())


def test_the_quickstart_has_a_key_step_and_curl_python_and_javascript():
    found = snippets()

    assert [kind for kind, _, _ in found[:1]] == ["key"]
    assert {lang for kind, lang, _ in found if kind == "run"} == {"sh", "python", "javascript"}
    assert DOC.read_text().index("## Quickstart") < DOC.read_text().index("## Authentication")


@pytest.mark.skipif(shutil.which("node") is None, reason="the JavaScript snippet needs node")
def test_walk_the_quickstart_literally(live_server, transactional_db, tmp_path):
    owner = UserFactory(email="owner@example.com")
    demo = WorkspaceFactory(slug="demo", name="Demo")
    MembershipFactory(user=owner, workspace=demo, role=Role.OWNER)
    (_, _, key_line), *runs = snippets()
    # KEY=$(python manage.py create_api_key ...): the command, run in this process's database.
    command = shlex.split(re.search(r"\$\((.*)\)", key_line).group(1))
    assert command[:2] == ["python", "manage.py"]
    out = io.StringIO()
    call_command(*command[2:], stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("qr_test_")
    env = {**os.environ, "BASE": live_server.url, "KEY": key}
    sandbox = QRCode.objects.filter(workspace=demo, is_test=True)

    outputs = []
    for _, lang, code in runs:
        done = subprocess.run(
            RUNNERS[lang](code, tmp_path),
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{lang} snippet failed:\n{code}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
        if len(outputs) == 3:  # curl, SDK and fetch each made one code
            assert sandbox.count() == 3

    # What the snippets promised: a PNG that scans, an SVG, the destination changed, and
    # finally an empty sandbox.
    png = Image.open(tmp_path / "label.png")
    assert png.width == 400
    assert [r.text for r in zxingcpp.read_barcodes(png)] == ["https://yoursite.com/product/124"]
    assert (tmp_path / "label.svg").read_text().startswith("<svg")
    assert '"codes":3' in outputs[-1].replace(" ", "")
    assert not sandbox.exists()
    assert QRCode.objects.filter(workspace=demo, is_test=False).count() == 0


def test_the_error_table_is_generated_from_the_code():
    text = DOC.read_text()
    start, end = text.index(ERROR_TABLE_START), text.index(ERROR_TABLE_END)

    assert text[start : end + len(ERROR_TABLE_END)] == error_table_markdown(), (
        "docs/api.md's error table is stale: run `manage.py api_error_table`"
    )
