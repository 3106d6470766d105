from django.urls import path

from wuqiang.entries import views

app_name = "entries"

urlpatterns = [
    path("villages/<str:code>/history/", views.village_history, name="village-history"),
    path("villages/<str:code>/<int:year>/<slug:sheet>/", views.village_sheet, name="village-sheet"),
    path("townships/<str:code>/board/", views.work_board, name="work-board"),
    path("townships/<str:code>/<int:year>/<slug:sheet>/", views.township_sheet, name="township-sheet"),
    path("counties/<str:code>/review/", views.review_queue, name="review-queue"),
    path("counties/<str:code>/review/approve-township/", views.approve_township, name="approve-township"),
    path("entries/<int:pk>/<slug:action>/", views.entry_action, name="entry-action"),
]
