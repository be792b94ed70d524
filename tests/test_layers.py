"""The layers point one way (docs/architecture.md): kernel <- accounts <- codes <- analytics,
jobs, webhooks, tickets <- the project's URLconf. A module may import its own app and the
layers below it, never one above; the render engine imports no Django and nothing of the
project but itself. Imports inside functions count too, and so do models named by string
("accounts.Workspace" in a foreign key)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYER = {
    "qrsite": 0,
    "accounts": 1,
    "codes": 2,
    "analytics": 3,
    "jobs": 3,
    "webhooks": 3,
    "tickets": 3,
}
# The shell around the kernel: it is where the apps are plugged in, so it may know them all.
SHELL = {
    "qrsite/urls.py",
    "qrsite/settings.py",
    "qrsite/settings_test.py",
    "qrsite/celery.py",
    "qrsite/wsgi.py",
    "qrsite/asgi.py",
}
RENDERING = "codes/rendering/"
MODEL_REFERENCE = re.compile(r"^([a-z_]+)\.[A-Z]\w*$")


def imported_modules(source: str) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (match := MODEL_REFERENCE.match(node.value))
            and match.group(1) in LAYER
        ):
            modules.append(node.value)
    return modules


def violations(path: str, source: str) -> list[str]:
    """What `source` (the file at `path`, relative to the project root) must not import."""
    app = path.split("/", 1)[0]
    if app not in LAYER or path in SHELL:
        return []
    found = []
    for module in imported_modules(source):
        top = module.split(".", 1)[0]
        if path.startswith(RENDERING):
            if top == "django" or (top in LAYER and not module.startswith("codes.rendering")):
                found.append(f"{path}: the render engine imports {module}")
        elif top in LAYER and LAYER[top] > LAYER[app]:
            found.append(
                f"{path}: {app} (layer {LAYER[app]}) imports {module} (layer {LAYER[top]})"
            )
    return found


def project_modules():
    for app in LAYER:
        for file in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in file.parts:
                yield file.relative_to(ROOT).as_posix(), file.read_text()


def test_no_module_imports_a_layer_above_its_own():
    found = [v for path, source in project_modules() for v in violations(path, source)]

    assert found == []


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("qrsite/api/views.py", "from accounts.models import ApiKey"),
        ("qrsite/health.py", "def f():\n    import codes.cache\n"),
        ("accounts/services.py", "from codes import services"),
        ("codes/selectors.py", "def f():\n    from analytics.models import Scan\n"),
        ("codes/scan.py", "import webhooks.services"),
        ("qrsite/api/models.py", 'workspace = models.ForeignKey("accounts.Workspace")'),
        ("codes/models.py", 'scans = models.ManyToManyField("analytics.Scan")'),
        ("codes/rendering/errors.py", "from django.core.exceptions import ValidationError"),
        ("codes/rendering/png.py", "from codes.models import QRCode"),
        ("codes/rendering/svg.py", "from qrsite import ids"),
    ],
)
def test_the_checker_flags_an_import_against_the_layers(path, source):
    assert violations(path, source)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("qrsite/urls.py", "from codes.api.urls import urlpatterns"),
        (
            "codes/services/codes.py",
            "from accounts.models import Workspace\nfrom qrsite import ids",
        ),
        ("analytics/selectors.py", "from codes.selectors import code_get_for_workspace"),
        ("codes/models.py", 'workspace = models.ForeignKey("accounts.Workspace")'),
        ("codes/rendering/png.py", "from codes.rendering.geometry import Geometry\nimport PIL"),
    ],
)
def test_the_checker_allows_imports_that_point_down(path, source):
    assert violations(path, source) == []
