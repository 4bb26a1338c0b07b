from django.urls import path

from . import views

app_name = "flyers"
urlpatterns = [
    path("", views.flyer_list, name="list"),
    path("new/", views.flyer_edit, name="create"),
    path("<int:pk>/", views.flyer_detail, name="detail"),
    path("<int:pk>/edit/", views.flyer_edit, name="edit"),
    path("new/preview.png", views.draft_preview, name="draft_preview"),
    path("<int:pk>/edit/preview.png", views.draft_preview, name="draft_preview"),
    path("<int:pk>/preview.png", views.preview, name="preview"),
    path("<int:pk>/flyer.pdf", views.download, name="download"),
    path("<int:pk>/batch/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/flyers.pdf", views.batch_download, name="batch_download"),
    path("print/", views.volunteer, name="volunteer"),
    path("print/<int:pk>/", views.print_flyer, name="print"),
    path("runs/<str:code>/", views.print_run, name="run"),
    path("runs/<str:code>/drops/", views.drop_add, name="drop_add"),
    path("runs/<str:code>/drops/<int:pk>/", views.drop_edit, name="drop"),
]
