"""The door of Django's admin site, for people who are not the server's staff.

The admin site is for the server's administrators (``is_staff``). A project's manager who is not
one used to land on the admin's own log-in form, which refused them ("not authorized... log in to
a different account") and never said that everything a manager does is in the application. This
view answers ``/admin/login/`` before the admin does: a signed-in user who is not staff gets a
page of the application saying so, with the Settings of each project they manage; everyone else
gets the admin's log-in form, whose template (``labels/admin_login.html``) says the same to a
manager who has not signed in yet.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from labels import access
from labels.models import Role


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and not user.is_staff:
        managed = [m.project for m in access.user_projects(user) if m.role == Role.MANAGER]
        return render(request, "labels/admin_not_staff.html", {"managed": managed}, status=403)
    return admin.site.login(request)
