from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from rest_framework_api_key.crypto import KeyGenerator, concatenate
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from qrsite.ids import new_public_id


def _workspace_id() -> str:
    return new_public_id("ws")


def _member_id() -> str:
    return new_public_id("mem")


def _invitation_id() -> str:
    return new_public_id("inv", length=22)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can log in to the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            # Case-insensitive: Alice@Example.com and alice@example.com are one person.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    # Door staff: sees the workspace like a viewer and may check tickets in (tickets app).
    DOOR = "door", "Door staff"


# Who may do what; views, the API and services all ask these sets rather than compare roles.
ROLES_THAT_EDIT = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
ROLES_THAT_MANAGE = frozenset({Role.OWNER, Role.ADMIN})
# Who may use an event's door page and check-in API (viewers too when the event allows it).
ROLES_THAT_CHECK_IN = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR, Role.DOOR})


class Workspace(models.Model):
    """The tenant: every domain row belongs to exactly one workspace."""

    public_id = models.CharField(max_length=32, unique=True, default=_workspace_id, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # API requests per minute and API key, by scope; blank uses the site default (settings).
    api_rate_limit_read = models.PositiveIntegerField(
        null=True, blank=True, help_text="API reads per minute per key; blank: site default."
    )
    api_rate_limit_write = models.PositiveIntegerField(
        null=True, blank=True, help_text="API writes per minute per key; blank: site default."
    )
    api_rate_limit_admin = models.PositiveIntegerField(
        null=True, blank=True, help_text="Key management calls per minute; blank: site default."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_member_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="accounts_one_membership"),
        ]
        ordering = ["workspace__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in ROLES_THAT_EDIT

    @property
    def can_manage(self) -> bool:
        return self.role in ROLES_THAT_MANAGE

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Invitation(models.Model):
    """A pending invitation; the emailed link carries a signed, expiring token of `public_id`."""

    public_id = models.CharField(max_length=40, unique=True, default=_invitation_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and workspace; re-inviting refreshes it.
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="accounts_one_open_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None


# --- API keys -----------------------------------------------------------------------------------


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"
    ADMIN = "admin", "Admin (also manages API keys)"


# Each scope includes the ones before it.
SCOPE_RANK = {ApiScope.READ: 0, ApiScope.WRITE: 1, ApiScope.ADMIN: 2}

# The most each role may do through the API (a logged-in person gets exactly this).
ROLE_SCOPES = {
    Role.OWNER: ApiScope.ADMIN,
    Role.ADMIN: ApiScope.ADMIN,
    Role.EDITOR: ApiScope.WRITE,
    Role.VIEWER: ApiScope.READ,
    # Check-ins need only the read scope (and a role that checks in): door staff edit nothing.
    Role.DOOR: ApiScope.READ,
}


def scope_within_role(scope: str, role: str) -> str:
    """A key's scope as its creator's current role caps it: roles change after keys are made."""
    return min(scope, ROLE_SCOPES[role], key=SCOPE_RANK.__getitem__)


# The visible part of every key; a fixed marker lets secret scanners recognise a leaked key.
API_KEY_MARKER = "qr_"
# A test key says so in its prefix (like Stripe's `sk_test_`): nobody mistakes one for the other.
TEST_API_KEY_MARKER = "qr_test_"


def _api_key_id() -> str:
    return new_public_id("key")


class ApiKeyGenerator(KeyGenerator):
    """`qr_<8 random>` as the prefix (shown in lists), a 40-character secret after the dot;
    `qr_test_<8 random>` for a sandbox key."""

    def __init__(self, *, marker: str = API_KEY_MARKER, **kwargs):
        super().__init__(**kwargs)
        self.marker = marker

    def get_prefix(self) -> str:
        return self.marker + super().get_prefix()


class ApiKeyManager(BaseAPIKeyManager):
    key_generator = ApiKeyGenerator(prefix_length=8, secret_key_length=40)
    test_key_generator = ApiKeyGenerator(
        marker=TEST_API_KEY_MARKER, prefix_length=8, secret_key_length=40
    )

    def assign_key(self, obj: "ApiKey") -> str:
        generator = self.test_key_generator if obj.is_test else self.key_generator
        key, prefix, hashed_key = generator.generate()
        obj.id = concatenate(prefix, hashed_key)
        obj.prefix = prefix
        obj.hashed_key = hashed_key
        return key


class ApiKey(AbstractAPIKey):
    """A workspace's API key: hashed at rest (the library's SHA-512 of a high-entropy secret),
    shown once, recognisable by its prefix, limited to a scope and never to more than what its
    creator may do in the workspace."""

    # The library's 150 characters hold "prefix.hash" for an 11-character prefix; a test key's
    # `qr_test_` prefix makes it 153.
    id = models.CharField(max_length=160, unique=True, primary_key=True, editable=False)
    public_id = models.CharField(max_length=32, unique=True, default=_api_key_id, editable=False)
    # Longer than the library's 8 characters: it carries the `qr_` (or `qr_test_`) marker.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    scope = models.CharField(max_length=10, choices=ApiScope.choices, default=ApiScope.READ)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A test key works in the workspace's sandbox: it sees and makes sandbox objects only.
    is_test = models.BooleanField(default=False, editable=False)

    objects = ApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        ordering = ["-created", "-public_id"]
        indexes = [models.Index(fields=["workspace", "-created"], name="accounts_apikey_ws")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.has_expired

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.has_expired

    def allows(self, scope: str) -> bool:
        return SCOPE_RANK[self.scope] >= SCOPE_RANK[scope]

    @property
    def effective_scope(self) -> str | None:
        """What the key may do now; None when its creator left. Needs `creator_role`, which
        `api_key_list_for_workspace` annotates."""
        role = getattr(self, "creator_role", None)
        return scope_within_role(self.scope, role) if role else None
