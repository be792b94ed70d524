"""Dashboard pages for codes, campaign groups and brand styles, included at the site root."""

from django.urls import path

from codes.views import detail, editor, groups, listing, sandbox, scan_pages, styles, trash

app_name = "codes"

urlpatterns = [
    path("codes/", listing.code_list, name="list"),
    path("codes/new/", editor.create, name="create"),
    path("codes/preview/", editor.preview, name="preview"),
    path("codes/logos/", editor.logo_upload, name="logo_upload"),
    path("codes/logos/<str:logo_id>/", editor.logo_image, name="logo_image"),
    path("codes/bulk/", listing.bulk, name="bulk"),
    path("codes/undo/", trash.undo, name="undo"),
    path("codes/trash/", trash.trash, name="trash"),
    path("codes/trash/<str:code_id>/restore/", trash.restore, name="restore"),
    path("codes/<str:code_id>/", detail.detail, name="detail"),
    path("codes/<str:code_id>/edit/", editor.edit, name="edit"),
    path("codes/<str:code_id>/image/", detail.image, name="image"),
    path("codes/<str:code_id>/download/", detail.download, name="download"),
    path("codes/<str:code_id>/destination/", detail.change_destination, name="destination"),
    path(
        "codes/<str:code_id>/destination/<str:change_id>/restore/",
        detail.rollback,
        name="rollback",
    ),
    path("codes/<str:code_id>/activate/", detail.set_active, {"active": True}, name="activate"),
    path(
        "codes/<str:code_id>/deactivate/", detail.set_active, {"active": False}, name="deactivate"
    ),
    path("codes/<str:code_id>/group/", detail.move, name="move"),
    path("codes/<str:code_id>/duplicate/", detail.duplicate, name="duplicate"),
    path("codes/<str:code_id>/delete/", detail.delete, name="delete"),
    path("settings/sandbox/wipe/", sandbox.sandbox_wipe, name="sandbox_wipe"),
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<str:group_id>/", groups.group_detail, name="group_detail"),
    path("groups/<str:group_id>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<str:group_id>/archive/", groups.group_archive, name="group_archive"),
    path("groups/<str:group_id>/unarchive/", groups.group_unarchive, name="group_unarchive"),
    path("groups/<str:group_id>/delete/", groups.group_delete, name="group_delete"),
    path("settings/scan-pages/", scan_pages.scan_page_brand, name="scan_page_brand"),
    path("styles/", styles.template_list, name="template_list"),
    path("styles/new/", styles.template_create, name="template_create"),
    path("styles/<str:template_id>/edit/", styles.template_edit, name="template_edit"),
    path("styles/<str:template_id>/delete/", styles.template_delete, name="template_delete"),
    path("styles/<str:template_id>/image/", styles.template_image, name="template_image"),
]
