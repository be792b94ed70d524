"""The codes a job works on: a request's selection (ids, a group, a job's codes or a filter)
as one queryset in a stable order, checked against the workspace."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Workspace
from codes import selectors as code_selectors
from codes.models import QRCode
from jobs.models import Job, JobRow


def code_selection(*, workspace: Workspace, source: dict, sandbox: bool = False):
    """The codes a request names (in the caller's mode), in a stable order; ValidationError
    naming what is wrong."""
    alive = QRCode.objects.alive().in_mode(sandbox=sandbox).filter(workspace=workspace)
    if "codes" in source:
        ids = source["codes"]
        found = set(alive.filter(public_id__in=ids).values_list("public_id", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise ValidationError({"codes": f"No such code in this workspace: {shown}."})
        return alive.filter(public_id__in=ids).order_by("id")
    if "group" in source:
        value = source["group"]
        lookup = {"public_id": value} if value.startswith("grp_") else {"slug": value}
        try:
            group = code_selectors.group_get_for_workspace(
                workspace=workspace, sandbox=sandbox, **lookup
            )
        except Http404:
            raise ValidationError({"group": f"No group “{value}” in this workspace."}) from None
        return alive.filter(group=group).order_by("id")
    if "job" in source:
        jobs = Job.objects.in_mode(sandbox=sandbox)
        job = jobs.filter(workspace=workspace, public_id=source["job"]).first()
        if job is None:
            raise ValidationError({"job": f"No job “{source['job']}” in this workspace."})
        created = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.CREATED)
        return alive.filter(pk__in=created.values("code_id")).order_by("id")
    query = dict(source.get("filter") or {})
    if query.get("group"):  # stored as the group's id: job parameters are JSON
        try:
            query["group"] = code_selectors.group_get_for_workspace(
                workspace=workspace, public_id=query["group"], sandbox=sandbox
            )
        except Http404:
            raise ValidationError({"group": "No such group in this workspace."}) from None
    query.pop("ordering", None)
    return (
        code_selectors.code_list_for_workspace(workspace=workspace, sandbox=sandbox, **query)
        .order_by("id")
        .select_related(None)
    )
