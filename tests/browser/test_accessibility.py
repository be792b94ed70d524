"""axe-core on the dashboard's main pages: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from codes import services
from tests.codes.views_helpers import logo_png
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def workspace_with_codes(alice, acme):
    group = services.group_create(workspace=acme, actor=alice, name="Spring launch")
    logo = services.logo_create(workspace=acme, actor=alice, data=logo_png(), name="Acme")
    code = services.code_create(
        workspace=acme,
        actor=alice,
        name="Spring menu",
        destination="https://example.com/spring",
        group=group,
        logo=logo,
        style={"module_shape": "rounded", "foreground_color": "#1e1b4b"},
    )
    services.code_change_destination(code=code, destination="https://example.com/menu", actor=alice)
    services.code_create(
        workspace=acme,
        actor=alice,
        name="Guest Wi-Fi",
        kind="static",
        content_type="wifi",
        content={"ssid": "Guest", "password": "welcome-2026"},
    )
    template = services.brand_template_create(
        workspace=acme, actor=alice, name="Acme primary", style={"module_shape": "dots"}
    )
    return {"code": code, "group": group, "template": template}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_main_pages_have_no_serious_accessibility_violations(page, workspace_with_codes):
    code = workspace_with_codes["code"]
    group = workspace_with_codes["group"]
    template = workspace_with_codes["template"]
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    pages = {
        "overview": reverse("dashboard:home"),
        "codes list": reverse("codes:list"),
        "codes list, filtered": reverse("codes:list") + "?q=nothing",
        "new code": reverse("codes:create"),
        "new Wi-Fi code": reverse("codes:create") + "?type=wifi",
        "edit code": reverse("codes:edit", args=[code.public_id]),
        "code page": reverse("codes:detail", args=[code.public_id]),
        "groups": reverse("codes:group_list"),
        "group page": reverse("codes:group_detail", args=[group.public_id]),
        "new group": reverse("codes:group_create"),
        "brand styles": reverse("codes:template_list"),
        "brand style editor": reverse("codes:template_edit", args=[template.public_id]),
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if problems := _violations(page):
            found[name] = problems
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
