"""The render engine runs where Django cannot even be imported: it is spec -> bytes, nothing else.

The check runs in a fresh interpreter, because this test process has Django loaded already.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import importlib
    import importlib.abc
    import pkgutil
    import sys


    class NoDjango(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("django", "rest_framework"):
                raise ImportError(f"{name} is blocked: the engine must not import it")
            return None


    sys.meta_path.insert(0, NoDjango())

    import codes.rendering as engine

    # Every module, also those the package's __init__ does not import (fonts, caches, ...).
    for module in pkgutil.iter_modules(engine.__path__):
        importlib.import_module(f"codes.rendering.{module.name}")

    style = engine.Style.from_dict({"module_shape": "rounded", "frame": "banner", "label": "SCAN"})
    png = engine.render("https://example.com/pure", style, format="png", size=200)
    assert png.startswith(b"\\x89PNG"), png[:8]
    svg = engine.render("https://example.com/pure", style, format="svg", size=200)
    assert svg.lstrip().startswith((b"<svg", b"<?xml")), svg[:40]
    report = engine.check("https://example.com/pure", style)
    assert report.ok, report.errors

    try:
        engine.Style.from_dict({"margin": 0})
    except engine.SpecError as exc:
        assert list(exc.fields) == ["margin"], exc.fields
        assert str(exc).startswith("margin: "), str(exc)
    else:
        raise AssertionError("margin 0 was accepted")

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "rest_framework"))
    assert not loaded, loaded
    print("pure")
    """
)


def test_the_engine_renders_checks_and_refuses_with_django_unimportable():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"
