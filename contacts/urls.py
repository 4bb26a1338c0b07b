from django.urls import path

from . import import_views, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_edit, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/unsubscribe/", views.contact_unsubscribe, name="unsubscribe"),
    path("<int:pk>/erase/", views.contact_erase, name="erase"),
    path("bulk/", views.contact_bulk, name="bulk"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/", views.list_edit, name="list_edit"),
    path("tags/", views.tags, name="tags"),
    path("segments/", views.segments, name="segments"),
    path("segments/new/", views.segment_edit, name="segment_new"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/", views.segment_edit, name="segment"),
    path("import/", import_views.import_upload, name="import"),
    path("import/columns/<str:token>/", import_views.import_columns, name="import_columns"),
    path("import/mappings/", import_views.import_mappings, name="import_mappings"),
    path("import/mappings/<int:pk>/", import_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", import_views.import_job, name="import_job"),
    path("import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("import/<int:pk>/errors.csv", import_views.import_errors, name="import_errors"),
    path("export/", views.export_contacts, name="export"),
]
