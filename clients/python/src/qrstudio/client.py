"""`qrstudio.Client`: the API's resources as methods, on top of the retrying transport."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from qrstudio import endpoints as ep
from qrstudio._transport import Transport
from qrstudio.types import BrandStyle, Code, Group, Job, Logo, WebhookEndpoint

JOB_FINISHED = frozenset({"succeeded", "failed", "cancelled"})


def _path(endpoint: tuple[str, str], **ids: str) -> str:
    return endpoint[1].format(**ids)


class _Resource:
    def __init__(self, client: Client):
        self._client = client

    def _call(self, endpoint, *, ids=None, **kwargs) -> httpx.Response:
        method, _ = endpoint
        return self._client._transport.request(method, _path(endpoint, **(ids or {})), **kwargs)

    def _pages(self, endpoint, params: dict) -> Iterator[dict]:
        """Every item over every page: the API's cursor pages link to the next one."""
        url: str | None = endpoint[1]
        while url:
            page = self._client._transport.request("GET", url, params=params).json()
            yield from page["results"]
            url, params = page.get("next"), None  # `next` carries the cursor and filters


@dataclass(frozen=True)
class BulkResult:
    """A bulk create's outcome: the codes at once (small batches) or the finished job."""

    codes: list[Code] | None
    job: Job | None


class Codes(_Resource):
    def create(self, *, destination: str | None = None, **fields: Any) -> Code:
        """POST /codes. `fields` are the API's (type, name, group, size, format, style —
        options or a brand style id `tpl_...` —, logo, metadata, external_id, ...)."""
        body = {"destination": destination, **fields} if destination is not None else fields
        return self._call(ep.CODE_CREATE, json=body).json()

    def get(self, code_id: str) -> Code:
        return self._call(ep.CODE, ids={"id": code_id}).json()

    def update(self, code_id: str, **changes: Any) -> Code:
        return self._call(ep.CODE_UPDATE, ids={"id": code_id}, json=changes).json()

    def delete(self, code_id: str) -> None:
        self._call(ep.CODE_DELETE, ids={"id": code_id})

    def list(self, *, page_size: int | None = None, **filters: Any) -> Iterator[Code]:
        """Every code matching `filters` (group, type, active, search, external_id, ...),
        fetched page by page as the iterator advances."""
        return self._pages(ep.CODES, {"page_size": page_size, **filters})

    def image(
        self,
        code_id: str,
        format: str = "png",
        size: int = 400,
        *,
        dpi: int | None = None,
        margin: int | None = None,
        transparent: bool | None = None,
    ) -> bytes:
        """The image bytes. Kept with their ETag: asking again costs a 304 with no body."""
        params = {
            "format": format,
            "size": size,
            "dpi": dpi,
            "margin": margin,
            "transparent": transparent,
        }
        key = (code_id, tuple(sorted((k, str(v)) for k, v in params.items() if v is not None)))
        cached = self._client._images.get(key)
        headers = {"If-None-Match": cached[0]} if cached else None
        response = self._call(
            ep.CODE_IMAGE, ids={"id": code_id}, params=params, headers=headers, ok_statuses=(304,)
        )
        if response.status_code == 304 and cached:
            self._client._images.move_to_end(key)
            return cached[1]
        etag = response.headers.get("ETag")
        if etag:
            self._client._remember_image(key, etag, response.content)
        return response.content

    def analytics(
        self, code_id: str, start: date | str | None = None, end: date | str | None = None, **params
    ) -> dict[str, Any]:
        return self._call(
            ep.CODE_ANALYTICS, ids={"id": code_id}, params={"start": start, "end": end, **params}
        ).json()

    def bulk(
        self,
        codes: list[dict[str, Any]],
        *,
        defaults: dict[str, Any] | None = None,
        background: bool = False,
        wait: bool = True,
        on_progress: Callable[[Job], None] | None = None,
        poll_interval: float = 1.0,
        timeout: float = 3600.0,
    ) -> BulkResult:
        """POST /codes/bulk. Up to the server's limit (1,000) the codes come back at once;
        larger batches (or `background=True`) become a job, which is waited on (`wait`),
        calling `on_progress(job)` after every poll, until it has finished."""
        body: dict[str, Any] = {"codes": codes}
        if defaults:
            body["defaults"] = defaults
        headers = {"Prefer": "respond-async"} if background else None
        response = self._call(ep.CODES_BULK, json=body, headers=headers)
        data = response.json()
        if response.status_code == 201:
            return BulkResult(codes=data["codes"], job=None)
        job: Job = data
        if wait:
            job = self._client.jobs.wait(
                job["id"], on_progress=on_progress, poll_interval=poll_interval, timeout=timeout
            )
        return BulkResult(codes=None, job=job)


class Groups(_Resource):
    def create(self, *, name: str, **fields: Any) -> Group:
        return self._call(ep.GROUP_CREATE, json={"name": name, **fields}).json()

    def get(self, group_id: str) -> Group:
        return self._call(ep.GROUP, ids={"id": group_id}).json()

    def update(self, group_id: str, **changes: Any) -> Group:
        return self._call(ep.GROUP_UPDATE, ids={"id": group_id}, json=changes).json()

    def delete(self, group_id: str) -> None:
        self._call(ep.GROUP_DELETE, ids={"id": group_id})

    def list(self, **filters: Any) -> Iterator[Group]:
        return self._pages(ep.GROUPS, filters)


class Jobs(_Resource):
    def get(self, job_id: str) -> Job:
        return self._call(ep.JOB, ids={"id": job_id}).json()

    def list(self, **filters: Any) -> Iterator[Job]:
        return self._pages(ep.JOBS, filters)

    def cancel(self, job_id: str) -> Job:
        return self._call(ep.JOB_CANCEL, ids={"id": job_id}).json()

    def wait(
        self,
        job_id: str,
        *,
        on_progress: Callable[[Job], None] | None = None,
        poll_interval: float = 1.0,
        timeout: float = 3600.0,
    ) -> Job:
        """Poll until the job has finished (succeeded, failed or cancelled) and return it."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if on_progress is not None:
                on_progress(job)
            if job["status"] in JOB_FINISHED:
                return job
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job['status']} after {timeout} s")
            self._client._transport._sleep(poll_interval)


class Webhooks(_Resource):
    def create(self, *, url: str, events: list[str], **fields: Any) -> WebhookEndpoint:
        """Register an endpoint; the answer's `secret` is shown this once."""
        return self._call(ep.WEBHOOK_CREATE, json={"url": url, "events": events, **fields}).json()

    def get(self, webhook_id: str) -> WebhookEndpoint:
        return self._call(ep.WEBHOOK, ids={"id": webhook_id}).json()

    def list(self) -> Iterator[WebhookEndpoint]:
        return self._pages(ep.WEBHOOKS, {})

    def delete(self, webhook_id: str) -> None:
        self._call(ep.WEBHOOK_DELETE, ids={"id": webhook_id})

    def send_test(self, webhook_id: str) -> dict[str, Any]:
        return self._call(ep.WEBHOOK_TEST, ids={"id": webhook_id}, json={}).json()


class Logos(_Resource):
    def upload(self, data: bytes, *, filename: str = "logo.png", name: str = "") -> Logo:
        """POST /logos: PNG, JPEG or WebP; the server re-encodes it to a clean PNG."""
        files = {"file": (filename, data)}
        return self._call(ep.LOGO_CREATE, files=files, data={"name": name}).json()

    def list(self) -> Iterator[Logo]:
        return self._pages(ep.LOGOS, {})


class BrandStyles(_Resource):
    def list(self) -> Iterator[BrandStyle]:
        return self._pages(ep.TEMPLATES, {})

    def get(self, template_id: str) -> BrandStyle:
        return self._call(ep.TEMPLATE, ids={"id": template_id}).json()


class Client:
    """A QR Studio API client.

    >>> client = Client(base_url="http://127.0.0.1:8000", api_key="qr_test_...")
    >>> code = client.codes.create(destination="https://example.com", size=400, format="png")
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        image_cache_size: int = 256,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._transport = Transport(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            http_client=http_client,
            sleep=sleep,
        )
        self._images: OrderedDict[tuple, tuple[str, bytes]] = OrderedDict()
        self._image_cache_size = image_cache_size
        self.codes = Codes(self)
        self.groups = Groups(self)
        self.jobs = Jobs(self)
        self.webhooks = Webhooks(self)
        self.logos = Logos(self)
        self.brand_styles = BrandStyles(self)

    def _remember_image(self, key: tuple, etag: str, body: bytes) -> None:
        self._images[key] = (etag, body)
        self._images.move_to_end(key)
        while len(self._images) > self._image_cache_size:
            self._images.popitem(last=False)

    def usage(self) -> dict[str, Any]:
        """Requests, errors and 429s per key over the last 24 hours and 30 days."""
        return self._transport.request(*ep.USAGE).json()

    def wipe_sandbox(self) -> dict[str, int]:
        """Delete everything test keys made (test keys only; a live key gets 403)."""
        return self._transport.request(*ep.SANDBOX_WIPE, json={}).json()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
