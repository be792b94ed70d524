"""The jobs pages × persona → status, and the import and export journeys through the
dashboard's forms (CSRF enforced)."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from codes import services as code_services
from codes.models import QRCode
from jobs import services
from jobs.models import Job, Status
from tests.jobs.conftest import csv_bytes, upload, url_rows

pytestmark = pytest.mark.django_db

READ, WRITE = "read", "write"
VIEWS = [
    ("get", "jobs:list", [], READ),
    ("get", "jobs:import", [], WRITE),
    ("post", "jobs:import", [], WRITE),
    ("get", "jobs:import_map", ["upload"], WRITE),
    ("post", "jobs:import_map", ["upload"], WRITE),
    ("post", "jobs:export", [], WRITE),
    ("get", "jobs:print", [], WRITE),
    ("post", "jobs:print", [], WRITE),
    ("get", "jobs:detail", ["job"], READ),
    ("post", "jobs:cancel", ["job"], WRITE),
    ("get", "jobs:result", ["job"], READ),
    ("get", "jobs:errors", ["job"], READ),
]
ALLOWED = {200, 302, 400, 413, 422}


@pytest.fixture
def objects(acme, alice):
    file = services.import_file_create(
        workspace=acme, actor=alice, file=upload(csv_bytes(url_rows(3))), name="c.csv"
    )
    job = Job.objects.create(workspace=acme, kind="import", created_by=alice, status="running")
    job.result_file.save("results.csv", ContentFile(b"row\n"), save=False)
    job.errors_file.save("errors.csv", ContentFile(b"row\n"), save=True)
    return {"upload": file.public_id, "job": job.public_id}


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "charlie", "anonymous"])
@pytest.mark.parametrize(("method", "name", "arg_names", "kind"), VIEWS)
def test_permission_matrix(request, objects, persona, method, name, arg_names, kind):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    else:
        request.getfixturevalue("carol")
    url = reverse(name, args=[objects[a] for a in arg_names])
    status = getattr(client, method)(url).status_code
    if persona == "anonymous":
        assert status == 302
    elif persona == "charlie" and arg_names:
        assert status == 404
    elif persona == "carol" and kind == WRITE:
        assert status == 403
    else:
        assert status in ALLOWED, (persona, method, name, status)


def test_every_jobs_url_is_in_the_matrix():
    from jobs.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {name.split(":")[1] for _, name, _, _ in VIEWS}


def _csrf(client):
    client.get(reverse("jobs:import"))
    return client.cookies["csrftoken"].value


def test_upload_of_a_non_utf8_file_shows_why_on_the_form(csrf_client_for, alice):
    client = csrf_client_for(alice)
    token = _csrf(client)
    data = "url\nhttps://example.com/caf\xe9\n".encode("latin-1")

    response = client.post(
        reverse("jobs:import"),
        {"file": upload(data), "row_kind": "dynamic:url", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not Job.objects.exists()


def test_mapping_page_guesses_columns_and_previews_a_row_error(alice_client, acme, alice):
    rows = url_rows(5)
    rows[3][0] = "not-a-url"
    file = services.import_file_create(
        workspace=acme, actor=alice, file=upload(csv_bytes(rows)), name="c.csv"
    )

    response = alice_client.get(reverse("jobs:import_map", args=[file.public_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="destination" selected' in page
    assert 'value="external_id" selected' in page
    assert 'class="row-error" data-row="3"' in page
    assert "1 of the first 5 rows is wrong" in page
    assert not QRCode.objects.exists()  # the preview wrote nothing


def test_start_import_from_the_mapping_form_then_see_its_page(
    csrf_client_for, alice, acme, django_capture_on_commit_callbacks
):
    client = csrf_client_for(alice)
    token = _csrf(client)
    file = services.import_file_create(
        workspace=acme, actor=alice, file=upload(csv_bytes(url_rows(4))), name="c.csv"
    )
    data = {"row_kind": "dynamic:url", "col_0": "destination", "col_1": "name",
            "col_2": "external_id", "mode": "all_or_nothing", "start": "1",
            "csrfmiddlewaretoken": token}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:import_map", args=[file.public_id]), data)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    assert QRCode.objects.filter(workspace=acme).count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "4 codes created" in page
    assert "Download results CSV" in page
    assert "Download images (ZIP)" in page


def test_progress_fragment_polls_until_the_job_finishes(alice_client, acme, alice):
    job = Job.objects.create(
        workspace=acme, kind="import", created_by=alice, status="running", total=10, done=4
    )
    url = reverse("jobs:detail", args=[job.public_id])

    running = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    Job.objects.filter(pk=job.pk).update(status=Status.SUCCEEDED, done=10)
    done = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 1s"' in running
    assert 'aria-valuenow="40"' in running
    assert "<html" not in running
    assert 'hx-trigger="every 1s"' not in done
    assert 'aria-valuenow="100"' in done


def test_zip_of_selected_codes_from_the_list(
    csrf_client_for, alice, acme, django_capture_on_commit_callbacks
):
    codes = [
        code_services.code_create(
            workspace=acme, actor=alice, destination=f"https://example.com/{i}"
        )
        for i in range(2)
    ]
    client = csrf_client_for(alice)
    token = _csrf(client)
    ids = [c.public_id for c in codes]

    options = client.post(reverse("jobs:export"), {"codes": ids, "csrfmiddlewaretoken": token})
    assert options.status_code == 200
    assert "2 selected codes" in options.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("jobs:export"),
            {"codes": ids, "formats": ["png", "pdf"], "size": "400", "filename": "slug",
             "csrfmiddlewaretoken": token},
        )  # fmt: skip

    job = Job.objects.get(kind="export")
    assert response.status_code == 302
    assert job.status == Status.SUCCEEDED
    assert job.summary["files"] == 4


def test_zip_of_all_matching_the_filter_beyond_the_page(
    csrf_client_for, alice, acme, django_capture_on_commit_callbacks
):
    for i in range(30):
        code_services.code_create(
            workspace=acme, actor=alice, destination=f"https://example.com/m/{i}", name=f"Menu {i}"
        )
    code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/x", name="Other"
    )
    client = csrf_client_for(alice)
    listing = client.get(reverse("codes:list") + "?q=Menu").content.decode()
    assert "Select all 30 matching" in listing
    token = client.cookies["csrftoken"].value

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("jobs:export"),
            {"all_matching": "1", "match_q": "Menu", "formats": ["svg"], "size": "256",
             "filename": "name", "csrfmiddlewaretoken": token},
        )  # fmt: skip

    job = Job.objects.get(kind="export")
    assert job.total == 30
    assert job.status == Status.SUCCEEDED


def test_cancel_button_on_a_finished_job_says_why(csrf_client_for, alice, acme):
    job = Job.objects.create(workspace=acme, kind="import", created_by=alice, status="succeeded")
    client = csrf_client_for(alice)
    token = _csrf(client)

    response = client.post(
        reverse("jobs:cancel", args=[job.public_id]), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert "already succeeded" in response.content.decode()
