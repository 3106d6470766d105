from django.urls import path

from wuqiang.tickets import views

app_name = "tickets"

urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/new/", views.ticket_issue, name="issue"),
    path("tickets/<int:pk>/", views.ticket_detail, name="detail"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="action"),
    path("tickets/files/<int:pk>/", views.attachment_download, name="attachment"),
]
