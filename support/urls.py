from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("counties/<str:code>/income/", views.county_income, name="county-income"),
]
