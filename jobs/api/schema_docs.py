"""OpenAPI descriptions and examples of the jobs endpoints."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from jobs.api.serializers import ExportSerializer, ImportSerializer, JobSerializer

TAGS = ["jobs"]
JOB = {
    "id": "job_4kT9wQz2LmN8xYp1",
    "kind": "import",
    "status": "running",
    "phase": "creating",
    "progress": {
        "done": 4000,
        "total": 10000,
        "percent": 40,
        "rate_per_second": 1830.5,
        "seconds_left": 3,
    },
    "summary": {},
    "error": "",
    "cancel_requested": False,
    "created_by": "ops@acme.example",
    "created_at": "2026-03-02T10:00:00Z",
    "started_at": "2026-03-02T10:00:01Z",
    "finished_at": None,
    "result_url": None,
    "errors_url": None,
    "result_expires_at": None,
    "url": "https://qr.example.com/api/v1/jobs/job_4kT9wQz2LmN8xYp1",
}
DONE = {
    **JOB,
    "status": "succeeded",
    "phase": "done",
    "progress": {**JOB["progress"], "done": 10000, "percent": 100, "rate_per_second": None,
                 "seconds_left": None},
    "summary": {"rows": 10000, "created": 10000, "failed": 0},
    "finished_at": "2026-03-02T10:00:07Z",
    "result_url": "https://qr.example.com/api/v1/jobs/job_4kT9wQz2LmN8xYp1/result",
    "result_expires_at": "2026-03-09T10:00:07Z",
}  # fmt: skip
_ACCEPTED = {202: JobSerializer}

LIST = {
    "summary": "List jobs",
    "description": "Newest first. `?kind=import|bulk_create|export` filters.",
    "tags": TAGS,
    "parameters": [OpenApiParameter("kind", str), OpenApiParameter("page_size", int)],
    "responses": {200: JobSerializer(many=True)},
    "examples": [
        OpenApiExample(
            "A page of jobs", value={"next": None, "previous": None, "results": [JOB]},
            response_only=True,
        )
    ],
}  # fmt: skip
RETRIEVE = {
    "summary": "Poll a job",
    "description": "Status (queued, running, succeeded, failed, cancelled), progress with rate "
    "and time left, and once finished `result_url` (results CSV or ZIP) and `errors_url`.",
    "tags": TAGS,
    "responses": {200: JobSerializer},
    "examples": [
        OpenApiExample("Running", value=JOB, response_only=True),
        OpenApiExample("Finished", value=DONE, response_only=True),
    ],
}
CANCEL = {
    "summary": "Cancel a job",
    "description": "The job stops between chunks; what it created so far stays and is listed "
    "in its results. A finished job cannot be cancelled (400, field `status`).",
    "tags": TAGS,
    "request": None,
    "responses": {200: JobSerializer},
    "examples": [
        OpenApiExample("Cancelling", value={**JOB, "cancel_requested": True}, response_only=True)
    ],
}
_FILE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}
RESULT = {
    "summary": "Download a job's result",
    "description": "An import's results CSV (row, external_id, code_id, short_url, "
    "destination, status, error) or an export's ZIP (images and manifest.csv).",
    "tags": TAGS,
    "responses": _FILE,
    "examples": [
        OpenApiExample(
            "Results CSV", response_only=True,
            value="row,external_id,code_id,short_url,destination,status,error\n"
            "1,sku-1,code_7Hq2kP9sLmN4xYz1,https://qr.example.com/r/Ab3dE9x,"
            "https://yoursite.com/p/1,created,\n",
        )
    ],
}  # fmt: skip
ERRORS = {
    "summary": "Download a job's errors",
    "description": "One line per problem: row, column, field, reason.",
    "tags": TAGS,
    "responses": _FILE,
    "examples": [
        OpenApiExample(
            "Errors CSV", response_only=True,
            value="row,column,field,reason\n9731,url,destination,Enter a valid URL.\n",
        )
    ],
}  # fmt: skip
IMPORT = {
    "summary": "Import codes from a spreadsheet",
    "description": "Multipart upload of a CSV (UTF-8, delimiter sniffed) or XLSX with a "
    "header row. The file is checked at once (encoding, header, ragged rows, limits: 400 or "
    "413 naming the problem); every row is then checked by the job with the same rules as "
    "POST /codes. `all_or_nothing` (default) creates nothing if any row is wrong; "
    "`valid_rows` creates the others. Answers 202 with the job.",
    "tags": TAGS,
    "request": {"multipart/form-data": ImportSerializer},
    "responses": _ACCEPTED,
    "examples": [
        OpenApiExample(
            "Import a mailing list",
            request_only=True,
            value={
                "file": "products.csv",
                "mapping": '{"url": "destination", "name": "name", "sku": "external_id"}',
                "mode": "all_or_nothing",
            },
        ),
        OpenApiExample("Accepted", value={**JOB, "status": "queued", "phase": ""},
                       response_only=True, status_codes=[202]),
    ],
}  # fmt: skip
EXPORT = {
    "summary": "Export many codes' images as a ZIP",
    "description": "Name the codes one way: `codes` (ids), `group` (slug or id), `job` (the "
    "codes an import created) or `filter` (like GET /codes). PNG, SVG and/or PDF at `size` "
    "pixels, files named by `filename` (sanitised, de-duplicated), plus manifest.csv. At most "
    "100,000 codes. Answers 202 with the job; its `result_url` is the ZIP.",
    "tags": TAGS,
    "request": ExportSerializer,
    "responses": _ACCEPTED,
    "examples": [
        OpenApiExample(
            "A group's labels",
            request_only=True,
            value={"group": "product-labels", "formats": ["png", "svg"], "size": 400,
                   "filename": "external_id"},
        ),
        OpenApiExample("Accepted", value={**JOB, "kind": "export", "status": "queued",
                       "phase": ""}, response_only=True, status_codes=[202]),
    ],
}  # fmt: skip
