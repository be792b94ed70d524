"""Helpers for the jobs tests: spreadsheets made in memory, and running a job's task body."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job


def csv_bytes(rows, *, delimiter=",", bom=False) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    data = text.getvalue().encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def url_rows(count, *, start=1, prefix="sku"):
    return [["url", "name", "sku"]] + [
        [f"https://example.com/p/{i}", f"Product {i}", f"{prefix}-{i}"]
        for i in range(start, start + count)
    ]


def upload(data: bytes, name="codes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_bytes(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(job: Job) -> Job:
    """What the worker does with the job's message, in this process."""
    from jobs.services.runner import job_run

    job_run(job_pk=job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def small_chunks(settings):
    settings.JOBS_CHUNK_ROWS = 10
    settings.JOBS_EXPORT_CHUNK = 5
