from django.urls import path

from . import checkin, views

app_name = "asks"
urlpatterns = [
    path("campaign/<int:pk>/new/<slug:kind>/", views.ask_create, name="create"),
    path("<int:pk>/", views.ask_detail, name="detail"),
    path("<int:pk>/edit/", views.ask_edit, name="edit"),
    path("<int:pk>/status/", views.ask_status, name="status"),
    path("<int:pk>/responses/", views.responses, name="responses"),
    path("<int:pk>/responses/<int:response_pk>/confirm/", views.response_confirm, name="response_confirm"),
    path("<int:pk>/signatures.pdf", views.petition_download, name="petition_pdf"),
    path("<int:pk>/checkin/", checkin.checkin_list, name="checkin"),
    path("<int:pk>/checkin/<int:response_pk>/", checkin.checkin_response, name="checkin_response"),
    # The QR code in an attendee's mail: opened by any phone camera app, then the browser.
    path("checkin/<str:token>/", checkin.checkin_token, name="checkin_token"),
]
