"""QR codes, campaign groups, logo assets and destination history.

Every write goes through `codes.services`; every read that a person or key asks for goes
through `codes.selectors` (scoped to a workspace, 404 for missing and foreign alike).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from qrsite.fields import JSONField
from qrsite.ids import new_public_id
from qrsite.sandbox import SandboxQuerySet, sandbox_field


def _code_id() -> str:
    return new_public_id("code")


def _group_id() -> str:
    return new_public_id("grp")


def _logo_id() -> str:
    return new_public_id("logo")


def _change_id() -> str:
    return new_public_id("chg")


DEFAULT_GROUP_COLOR = "#4f46e5"


class CampaignGroup(models.Model):
    """A folder of codes for one campaign; `slug` is how the API names it (`"group": "..."`)."""

    public_id = models.CharField(max_length=32, unique=True, default=_group_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="code_groups"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    color = models.CharField(max_length=7, default=DEFAULT_GROUP_COLOR)
    archived_at = models.DateTimeField(null=True, blank=True)
    is_test = sandbox_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # The sandbox may reuse a live group's slug: the two never meet.
            models.UniqueConstraint(
                fields=["workspace", "is_test", "slug"], name="codes_group_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def _logo_path(instance: LogoAsset, filename: str) -> str:
    # Named by the public id, never by the uploader's filename.
    return f"logos/{instance.workspace.public_id}/{instance.public_id}.png"


class LogoAsset(models.Model):
    """A logo re-encoded to PNG by the render engine (no SVG: scripts hide in SVG)."""

    public_id = models.CharField(max_length=32, unique=True, default=_logo_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="logos"
    )
    name = models.CharField(max_length=100, blank=True)
    image = models.FileField(upload_to=_logo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the re-encoded PNG.")
    is_test = sandbox_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Uploading the same picture twice (in the same mode) reuses the first asset.
            models.UniqueConstraint(
                fields=["workspace", "is_test", "checksum"], name="codes_logo_checksum_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.public_id

    def read_bytes(self) -> bytes:
        with self.image.open("rb") as handle:
            return handle.read()


class Kind(models.TextChoices):
    STATIC = "static", "Static"
    DYNAMIC = "dynamic", "Dynamic"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    EXPIRED = "expired", "Expired"
    LIMIT_REACHED = "limit_reached", "Scan limit reached"
    DELETED = "deleted", "Deleted"


class QRCodeQuerySet(SandboxQuerySet):
    def alive(self) -> QRCodeQuerySet:
        return self.filter(deleted_at__isnull=True)

    def in_trash(self, *, since) -> QRCodeQuerySet:
        """Deleted at or after `since` (`codes.services.trash_cutoff()`): still restorable."""
        return self.filter(deleted_at__gte=since)


def short_url_for(slug: str | None) -> str:
    """SHORT_URL_BASE + slug, or "" without a slug (a static code)."""
    if not slug:
        return ""
    base = settings.SHORT_URL_BASE
    return f"{base}{slug}" if base.endswith("/") else f"{base}/{slug}"


class QRCode(models.Model):
    """A QR code.

    `kind` (the API's `type`): a static code encodes `content` (or `destination` for URL
    codes) directly; a dynamic code encodes `short_url` and redirects to `destination`, which
    can change after printing. `slug` is set for dynamic codes only and is never reused: the
    row is soft-deleted (`deleted_at`) and `SlugClaim` outlives even a hard delete.
    `scan_count` counts recorded human scans (bot and HEAD scans are stored, flagged, uncounted).
    """

    public_id = models.CharField(max_length=32, unique=True, default=_code_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="codes"
    )
    group = models.ForeignKey(
        CampaignGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    content_type = models.CharField(max_length=20, default="url")
    content = JSONField(default=dict, blank=True)
    destination = models.CharField(max_length=2048, blank=True)
    slug = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scan_limit = models.PositiveIntegerField(null=True, blank=True)
    style = JSONField(default=dict, blank=True)
    logo = models.ForeignKey(
        LogoAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    metadata = JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    pass_query_string = models.BooleanField(default=False)
    scan_count = models.PositiveBigIntegerField(default=0, editable=False)
    # Its scans are flagged through it: analytics counts a sandbox code's scans apart.
    is_test = sandbox_field()
    # The image the code was created with (its `image_url` keeps asking for it).
    image_format = models.CharField(max_length=8, default="png", editable=False)
    image_size = models.PositiveIntegerField(default=400, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = QRCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "QR code"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=Kind.DYNAMIC) & Q(slug__isnull=False))
                | (Q(kind=Kind.STATIC) & Q(slug__isnull=True)),
                name="codes_slug_iff_dynamic",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[Kind.STATIC, Kind.DYNAMIC]), name="codes_kind_valid"
            ),
        ]
        indexes = [
            # The dashboard and API list a workspace's codes newest first.
            models.Index(fields=["workspace", "-created_at"], name="codes_ws_created"),
            models.Index(fields=["workspace", "group"], name="codes_ws_group"),
            # Integrators look their codes up by their own record id.
            models.Index(fields=["workspace", "external_id"], name="codes_ws_external"),
        ]

    def __str__(self) -> str:
        return self.name or self.public_id

    @property
    def is_dynamic(self) -> bool:
        return self.kind == Kind.DYNAMIC

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def short_url(self) -> str:
        """What a dynamic code encodes: SHORT_URL_BASE + slug ("" for static codes)."""
        return short_url_for(self.slug)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_over_limit(self) -> bool:
        return self.scan_limit is not None and self.scan_count >= self.scan_limit

    @property
    def status(self) -> str:
        """Why a scan would (not) redirect, in the order the redirect checks it."""
        if self.is_deleted:
            return Status.DELETED
        if not self.is_active:
            return Status.INACTIVE
        if self.is_expired:
            return Status.EXPIRED
        if self.is_over_limit:
            return Status.LIMIT_REACHED
        return Status.ACTIVE


class SlugClaim(models.Model):
    """Every short slug ever handed out. Never deleted and not tied to a workspace, so a slug
    freed by a hard delete (a workspace removed) can still not be given to someone else."""

    slug = models.CharField(max_length=64, primary_key=True)
    claimed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class DestinationChange(models.Model):
    """One change of a dynamic code's destination; the first row (old = "") is its creation."""

    public_id = models.CharField(max_length=32, unique=True, default=_change_id, editable=False)
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(QRCode, on_delete=models.CASCADE, related_name="destination_changes")
    old_destination = models.CharField(max_length=2048, blank=True)
    new_destination = models.CharField(max_length=2048)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    # Set when this change restored the destination of an earlier one.
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["code", "-changed_at"], name="codes_dest_code_time")]

    def __str__(self) -> str:
        return f"{self.old_destination or '∅'} → {self.new_destination}"


# --- Brand templates (the dashboard's saved styles) ----------------------------------------------


def _template_id() -> str:
    return new_public_id("tpl")


class BrandTemplate(models.Model):
    """A named style (and optional logo) a workspace reuses: "Acme primary", "Event dark"."""

    public_id = models.CharField(max_length=32, unique=True, default=_template_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="brand_templates"
    )
    name = models.CharField(max_length=100)
    style = models.JSONField(default=dict, blank=True)
    logo = models.ForeignKey(
        LogoAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("name"), name="codes_brand_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PendingRedirectInvalidation(models.Model):
    """A changed code whose cached redirect could not be invalidated (the cache did not answer).

    Kept in the database, which has just committed the change, so the retry survives the
    process that failed; `codes.redirect_invalidations_retry_task` replays it from beat.
    """

    slug = models.CharField(max_length=64, unique=True)
    # Bumped by every later failure for the slug, so a retry that ran before it cannot
    # delete the row (see codes.cache.redirect_invalidations_retry).
    failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.slug


class ScanPageBrand(models.Model):
    """A workspace's own look for the pages people see when they scan one of its codes and it
    does not redirect (paused, expired, limit reached, deleted): its logo and accent colour."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="scan_page_brand"
    )
    logo = models.ForeignKey(
        LogoAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # #rrggbb; blank uses the product's colour.
    color = models.CharField(max_length=7, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Scan pages of {self.workspace_id}"
