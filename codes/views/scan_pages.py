"""Settings → Scan pages: the logo and colour people see on a workspace's scan pages (paused,
expired, limit reached, deleted), with a preview of one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.decorators import manager_required
from codes import selectors, services
from codes.forms.scan_pages import ScanPageBrandForm
from codes.forms.wording import for_marketer
from qrsite.forms import add_service_errors


@manager_required
def scan_page_brand(request):
    workspace = request.workspace
    logos = list(selectors.logo_list_for_workspace(workspace=workspace)[:12])
    brand = selectors.scan_page_brand_get(workspace=workspace)
    initial = {
        "use_color": bool(brand and brand.color),
        "color": (brand.color if brand and brand.color else "#4f46e5"),
        "logo": brand.logo.public_id if brand and brand.logo else "",
    }
    form = ScanPageBrandForm(
        request.POST or None, request.FILES or None, logos=logos, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            logo = None
            if upload := data.get("logo_upload"):
                logo = services.logo_create(
                    workspace=workspace,
                    actor=request.user,
                    data=upload.read(),
                    name=upload.name.rsplit(".", 1)[0][:100],
                )
            elif data.get("logo"):
                logo = selectors.logo_get_for_workspace(workspace=workspace, public_id=data["logo"])
            services.scan_page_brand_set(
                workspace=workspace,
                actor=request.user,
                color=data["color"] if data.get("use_color") else "",
                logo=logo,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "logo" in exc.error_dict:
                form.add_error(
                    "logo_upload",
                    [for_marketer(m, subject="The logo") for m in exc.message_dict["logo"]],
                )
            else:
                add_service_errors(form, exc)
        else:
            messages.success(request, "Scan pages updated.")
            return redirect("codes:scan_page_brand")
    look = selectors.scan_page_look(workspace_id=workspace.pk)
    return render(
        request, "codes/scan_page_brand.html", {"form": form, "look": look, "brand": brand}
    )
