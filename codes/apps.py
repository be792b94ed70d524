from django.apps import AppConfig

# Sample codes made by `manage.py seed_demo`; their external ids make seeding idempotent.
DEMO_CODES = [
    {
        "external_id": "demo:spring-menu",
        "name": "Spring menu",
        "destination": "https://example.com/menu/spring",
        "in_group": True,
        "style": {"foreground_color": "#1e1b4b", "module_shape": "rounded"},
    },
    {
        "external_id": "demo:product-123",
        "name": "Product 123 - Label QR",
        "destination": "https://example.com/product/123",
        "in_group": True,
        "style": {"error_correction": "Q", "finder_frame_shape": "rounded"},
    },
    {
        "external_id": "demo:guest-wifi",
        "name": "Guest Wi-Fi",
        "kind": "static",
        "content_type": "wifi",
        "content": {"ssid": "Demo Guest", "password": "welcome-2026", "security": "WPA"},
    },
    {
        "external_id": "demo:sales-card",
        "name": "Sales contact card",
        "kind": "static",
        "content_type": "vcard",
        "content": {
            "first_name": "Dana",
            "last_name": "Demo",
            "organization": "Demo Inc.",
            "email": "dana@example.com",
            "phone": "+14155550100",
        },
    },
]


def _forget_redirect_of_deleted_code(sender, instance, **kwargs) -> None:
    from django.db import transaction

    from codes.cache import redirect_cache_forget

    slug = instance.slug
    if slug:
        transaction.on_commit(lambda: redirect_cache_forget(slug))


class CodesConfig(AppConfig):
    name = "codes"
    verbose_name = "QR codes"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from codes import (
            checks,  # noqa: F401 - registers the system checks
            read_cache,
        )

        read_cache.connect_receivers()

        # Codes are only soft-deleted by our services; a hard delete comes from a cascade
        # outside this app (a workspace removed). Its cached redirect must go at once, not
        # keep redirecting until the cache entry expires.
        post_delete.connect(
            _forget_redirect_of_deleted_code,
            sender="codes.QRCode",
            dispatch_uid="codes_forget_redirect_of_deleted_code",
        )

    def seed_demo(self, *, workspace, user, stdout) -> None:
        """Idempotently add a campaign group and a few sample codes to the demo workspace."""
        from codes import services
        from codes.models import CampaignGroup, QRCode

        group = CampaignGroup.objects.filter(workspace=workspace, slug="spring-launch").first()
        if group is None:
            group = services.group_create(
                workspace=workspace,
                actor=user,
                name="Spring launch",
                slug="spring-launch",
                description="Menus and labels for the spring campaign.",
            )
        created = 0
        for sample in DEMO_CODES:
            sample = dict(sample)
            if QRCode.objects.filter(
                workspace=workspace, external_id=sample["external_id"]
            ).exists():
                continue
            in_group = sample.pop("in_group", False)
            services.code_create(
                workspace=workspace, actor=user, group=group if in_group else None, **sample
            )
            created += 1
        stdout.write(f"Codes: {created} sample codes created in “{workspace.name}”.")
