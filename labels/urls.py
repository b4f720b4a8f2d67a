from django.urls import path

from labels import views

urlpatterns = [
    path("", views.home, name="home"),
]
