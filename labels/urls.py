from django.contrib.auth import views as auth_views
from django.urls import path

from labels import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/<slug:slug>/", views.project_page, name="project"),
    path("projects/<slug:slug>/next/", views.next_article, name="next_article"),
    path("articles/<int:article_id>/annotate/", views.annotate, name="annotate"),
]
