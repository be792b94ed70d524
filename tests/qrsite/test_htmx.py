import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from qrsite import htmx


def _request(method="get", path="/codes/", data=None, htmx_request=False, **extra):
    if htmx_request:
        extra["HTTP_HX_REQUEST"] = "true"
    request = getattr(RequestFactory(), method)(path, data or {}, **extra)
    request.htmx = HtmxDetails(request)  # what HtmxMiddleware sets on every request
    return request


@pytest.fixture
def rendered(monkeypatch):
    calls = []

    def fake_render(request, name, context, status=200):
        calls.append((name, context, status))
        return HttpResponse(status=status)

    monkeypatch.setattr(htmx, "render", fake_render)
    return calls


def test_a_plain_request_gets_the_whole_page(rendered):
    htmx.page_or_fragment(_request(), "codes/list.html", {"a": 1}, fragment="results")

    assert rendered == [("codes/list.html", {"a": 1}, 200)]


def test_an_htmx_request_gets_only_the_fragment(rendered):
    request = _request(htmx_request=True)

    response = htmx.page_or_fragment(request, "codes/list.html", {}, fragment="results", status=400)

    assert rendered == [("codes/list.html#results", {}, 400)]
    assert response.status_code == 400


@pytest.mark.parametrize("target", ["/codes/?page=2", "/groups/grp_1/", "http://testserver/codes/"])
def test_next_accepts_a_page_of_this_site(target):
    assert htmx.safe_next(_request(data={"next": target}), "/fallback/") == target


def test_next_is_read_from_the_posted_form_too():
    request = _request("post", data={"next": "/codes/"})

    assert htmx.safe_next(request, "/fallback/") == "/codes/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/codes/",
        "https://evil.example",
        "https://evil.example/codes/",
        "javascript:alert(1)",
        "/\\evil.example",
        "",
    ],
)
def test_next_refuses_anything_off_this_site(target):
    request = _request("post", data={"next": target})

    assert htmx.safe_next(request, "/fallback/") == "/fallback/"


def test_next_stays_on_https_when_the_request_is_secure():
    request = _request(data={"next": "http://testserver/codes/"}, secure=True)

    assert htmx.safe_next(request, "/fallback/") == "/fallback/"


def test_go_redirects_a_plain_post_and_tells_htmx_to_navigate():
    plain = htmx.go(_request("post"), "/codes/")
    with_htmx = htmx.go(_request("post", htmx_request=True), "/codes/")

    assert plain.status_code == 302
    assert plain["Location"] == "/codes/"
    assert with_htmx.status_code == 200
    assert with_htmx["HX-Redirect"] == "/codes/"
