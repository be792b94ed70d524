"""The jobs API: imports, exports and async bulk creates answer 202 with a job to poll; bad
files get a 400/413 naming the field and the reason, and nothing is created."""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client

from codes.models import QRCode
from jobs.models import Job, Status
from tests.api.conftest import ApiClient, make_key
from tests.jobs.conftest import csv_bytes, upload, url_rows, xlsx_bytes

pytestmark = pytest.mark.django_db
MAPPING = json.dumps({"url": "destination", "name": "name", "sku": "external_id"})


@pytest.fixture
def key(alice, acme):
    return make_key(alice, acme, "write")


def _import(key, data, name="codes.csv", mapping=MAPPING, **fields):
    client = Client(headers={"Authorization": f"Bearer {key}"})
    return client.post(
        "/api/v1/imports", {"file": upload(data, name), "mapping": mapping, **fields}
    )


def _error(response):
    return response.json()["error"]


def test_import_answers_202_with_a_job_that_creates_every_row(
    key, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, csv_bytes(url_rows(20)))

    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert job_id.startswith("job_")
    assert response["Location"].endswith(f"/api/v1/jobs/{job_id}")
    polled = ApiClient(key).get(f"/api/v1/jobs/{job_id}").json()
    assert polled["status"] == "succeeded"
    assert polled["progress"]["done"] == polled["progress"]["total"] == 20
    assert polled["summary"]["created"] == 20
    assert polled["errors_url"] is None
    results = ApiClient(key).get(polled["result_url"])
    rows = list(csv.DictReader(io.StringIO(b"".join(results.streaming_content).decode())))
    assert len(rows) == 20
    assert {r["code_id"] for r in rows} == set(
        QRCode.objects.filter(workspace=acme).values_list("public_id", flat=True)
    )


def test_xlsx_import_creates_every_row(key, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, xlsx_bytes(url_rows(3)), name="book.xlsx")

    assert response.status_code == 202, response.content
    assert QRCode.objects.filter(workspace=acme).count() == 3


def test_csv_with_bom_and_semicolons_is_read(key, acme, django_capture_on_commit_callbacks):
    data = csv_bytes(url_rows(2), delimiter=";", bom=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, data)

    assert response.status_code == 202, response.content
    assert QRCode.objects.filter(workspace=acme, external_id="sku-2").exists()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
    return out.getvalue()


BAD_FILES = [
    ("not utf-8", "url,name\nhttps://example.com/caf\xe9,Caf\xe9\n".encode("latin-1"), "codes.csv", "not UTF-8"),
    ("zip bomb", _zip_bomb(), "book.xlsx", "expands to"),
    ("not a spreadsheet", b"PK\x03\x04 this is not a zip at all", "book.xlsx", "not a spreadsheet"),
    ("a zip that is not a workbook", None, "book.xlsx", "not an Excel workbook"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "codes.csv", "binary data"),
    ("empty", b"", "codes.csv", "empty"),
    ("no header", b"https://example.com/1,Item 1\nhttps://example.com/2,Item 2\n", "codes.csv", "looks like data"),
    ("header only", b"url,name,sku\n", "codes.csv", "no data rows"),
    ("ragged rows", b"url,name\nhttps://example.com/1,A,extra\n", "codes.csv", "Row 1 has 3 cells"),
    ("duplicate header", b"url,url\nhttps://example.com/1,x\n", "codes.csv", "twice"),
]  # fmt: skip


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "data", "name", "reason"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_is_a_400_naming_the_file_and_why(key, acme, case, data, name, reason):
    response = _import(key, _plain_zip() if data is None else data, name=name)

    assert response.status_code == 400, response.content
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["field"] == "file"
    assert reason in error["message"]
    assert not Job.objects.exists()
    assert not QRCode.objects.exists()


def test_100001_rows_is_a_413_naming_the_limit(key):
    response = _import(key, csv_bytes(url_rows(100_001)))

    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == "payload_too_large"
    assert "100,000" in error["message"]
    assert not Job.objects.exists()


def test_50_mb_upload_is_a_413_before_it_is_read(key):
    data = b"url\n" + b"https://example.com/x\n" * (50 * 1024 * 1024 // 22)

    response = _import(key, data)

    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
    assert not Job.objects.exists()


def test_file_over_20_mb_but_under_the_body_limit_names_the_import_limit(key, settings):
    settings.JOBS_IMPORT_MAX_BYTES = 1000
    response = _import(key, csv_bytes(url_rows(100)))

    assert response.status_code == 413
    assert "JOBS_IMPORT_MAX_BYTES" in _error(response)["message"]


def test_mapping_that_names_a_missing_column_is_a_400(key):
    response = _import(key, csv_bytes(url_rows(2)), mapping=json.dumps({"link": "destination"}))

    assert response.status_code == 400
    error = _error(response)
    assert error["field"] == "mapping"
    assert "no column “link”" in error["message"]
    assert not Job.objects.exists()


def test_mapping_that_is_not_json_is_a_400(key):
    response = _import(key, csv_bytes(url_rows(2)), mapping="url=destination")

    assert response.status_code == 400
    assert _error(response)["field"] == "mapping"


def test_row_9731_of_10000_fails_all_or_nothing_and_creates_nothing(
    key, acme, django_capture_on_commit_callbacks
):
    rows = url_rows(10_000)
    rows[9731][0] = "javascript:alert(1)"
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, csv_bytes(rows))

    job = ApiClient(key).get(response["Location"]).json()
    assert job["status"] == "failed"
    assert "nothing was created" in job["error"]
    assert not QRCode.objects.filter(workspace=acme).exists()
    errors = ApiClient(key).get(job["errors_url"])
    lines = list(csv.DictReader(io.StringIO(b"".join(errors.streaming_content).decode())))
    assert [(line["row"], line["column"]) for line in lines] == [("9731", "url")]


def test_cancelling_a_finished_job_is_a_400(key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(key, csv_bytes(url_rows(2)))

    answer = ApiClient(key).post(f"/api/v1/jobs/{response.json()['id']}/cancel", {})

    assert answer.status_code == 400
    error = _error(answer)
    assert error["field"] == "status"
    assert "already succeeded" in error["message"]


def test_cancelling_a_queued_job_stops_it_before_anything_is_created(key, acme):
    response = _import(key, csv_bytes(url_rows(5)))  # not committed: nothing ran yet

    answer = ApiClient(key).post(f"/api/v1/jobs/{response.json()['id']}/cancel", {})

    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    assert not QRCode.objects.filter(workspace=acme).exists()


def test_another_workspaces_job_is_a_404(key, charlie, globex):
    response = _import(key, csv_bytes(url_rows(1)))
    other = ApiClient(make_key(charlie, globex, "admin"))
    job_id = response.json()["id"]

    for answer in (
        other.get(f"/api/v1/jobs/{job_id}"),
        other.post(f"/api/v1/jobs/{job_id}/cancel", {}),
        other.get(f"/api/v1/jobs/{job_id}/result"),
    ):
        assert answer.status_code == 404
        assert _error(answer)["code"] == "not_found"
    assert Job.objects.get(public_id=job_id).status == Status.QUEUED


def test_bulk_over_1000_answers_202_and_creates_them_all(
    key, acme, django_capture_on_commit_callbacks
):
    body = {
        "codes": [{"destination": f"https://example.com/b/{i}", "external_id": f"b{i}"} for i in range(1200)],
        "defaults": {"type": "dynamic", "group": "inventory-batch"},
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(key).post("/api/v1/codes/bulk", body)

    assert response.status_code == 202, response.content[:300]
    assert "/api/v1/jobs/job_" in response["Location"]
    job = ApiClient(key).get(response["Location"]).json()
    assert job["kind"] == "bulk_create"
    assert job["status"] == "succeeded", job
    codes = QRCode.objects.filter(workspace=acme)
    assert codes.count() == 1200
    assert codes.filter(group__slug="inventory-batch").count() == 1200


def test_bulk_with_prefer_respond_async_answers_202_even_for_two(key, acme):
    body = {
        "codes": [
            {"destination": "https://example.com/1"},
            {"destination": "https://example.com/2"},
        ]
    }

    response = ApiClient(key).post("/api/v1/codes/bulk", body, HTTP_PREFER="respond-async")

    assert response.status_code == 202
    assert response["Preference-Applied"] == "respond-async"


def test_bulk_up_to_1000_stays_synchronous(key, acme):
    response = ApiClient(key).post(
        "/api/v1/codes/bulk", {"codes": [{"destination": "https://example.com/1"}]}
    )

    assert response.status_code == 201
    assert response.json()["count"] == 1


def test_async_bulk_with_a_bad_item_fails_naming_its_index(
    key, acme, django_capture_on_commit_callbacks
):
    body = {"codes": [{"destination": f"https://example.com/{i}"} for i in range(1001)]}
    body["codes"][777] = {"destination": "not a url"}
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(key).post("/api/v1/codes/bulk", body)

    job = ApiClient(key).get(response["Location"]).json()
    assert job["status"] == "failed"
    assert not QRCode.objects.filter(workspace=acme).exists()
    errors = ApiClient(key).get(job["errors_url"])
    text = b"".join(errors.streaming_content).decode()
    assert "\n777,destination,destination," in text


def test_export_answers_202_and_its_result_is_the_zip(
    key, acme, alice, django_capture_on_commit_callbacks
):
    from codes import services as code_services

    group = code_services.group_create(workspace=acme, actor=alice, name="Labels")
    for i in range(3):
        code_services.code_create(
            workspace=acme, actor=alice, destination=f"https://example.com/{i}", group=group,
            external_id=f"L-{i}",
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(key).post(
            "/api/v1/exports", {"group": group.slug, "formats": ["png", "svg"], "size": 256}
        )

    assert response.status_code == 202, response.content
    job = ApiClient(key).get(response["Location"]).json()
    assert job["status"] == "succeeded", job
    body = b"".join(ApiClient(key).get(job["result_url"]).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert sorted(names) == sorted(
        [f"L-{i}.{f}" for i in range(3) for f in ("png", "svg")] + ["manifest.csv"]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"formats": ["png"]}, "codes"),
        ({"codes": ["code_nope"], "formats": ["gif"]}, "formats"),
        ({"codes": ["code_nope"]}, "codes"),
        ({"group": "nope"}, "group"),
        ({"filter": {"q": "x"}, "size": 10}, "size"),
        ({"filter": {"colour": "red"}}, "colour"),
    ],
)
def test_bad_export_requests_are_400_naming_the_field(key, body, field):
    response = ApiClient(key).post("/api/v1/exports", body)

    assert response.status_code == 400, response.content
    assert field in _error(response)["field"]
    assert not Job.objects.exists()


def test_export_over_the_limit_is_a_400_naming_it(key, acme, alice, settings):
    from codes import services as code_services

    settings.JOBS_EXPORT_MAX_CODES = 1
    for i in range(2):
        code_services.code_create(
            workspace=acme, actor=alice, destination=f"https://example.com/{i}"
        )

    response = ApiClient(key).post("/api/v1/exports", {"filter": {}})

    assert response.status_code == 400
    assert "JOBS_EXPORT_MAX_CODES" in _error(response)["message"]
