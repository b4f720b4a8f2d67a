"""Settings → Members: who belongs to the project and in which role (managers only).

The list with a role form and a Remove button per member, *Add member* (an existing account, by
username) and *Invite* (a new account, by e-mail address, with its one-time password link).
Every change is a POST to its own URL that answers with a redirect back to the list, or with the
list again (400) showing the error next to the field or the member it is about. A project keeps
one manager: the page says so at the last one, and the domain refuses it whatever is posted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from labels import access
from labels.errors import Invalid
from labels.models import Membership, Project, Role
from labels.pages.settings_shell import manager_project, render_section
from labels.projects import invites
from labels.projects.members import do_add_member, do_remove_member

SECTION = "settings_members"
TEMPLATE = "labels/settings/members.html"


class AddMemberForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Give the username of the account to add."},
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.ANNOTATOR)

    prefix = "add"

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(
                f"No account is named {username!r}. To bring in someone new, use Invite below."
            )
        membership = Membership.objects.filter(project=self.project, user=user).first()
        if membership is not None:
            raise forms.ValidationError(
                f"{user.username} is already a member ({membership.get_role_display().lower()}); "
                "change their role in the list above."
            )
        self.user = user
        return user.username


class InviteForm(forms.Form):
    email = forms.CharField(
        label="E-mail",
        max_length=254,
        error_messages={"required": "Give the e-mail address of the person to invite."},
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.ANNOTATOR)

    prefix = "invite"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.input_type = "email"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self):
        try:
            return invites.check_invite_email(self.cleaned_data["email"])
        except Invalid as exc:
            raise forms.ValidationError(exc.problems[0].message) from None


def _page(
    request: HttpRequest,
    project: Project,
    *,
    add_form: AddMemberForm | None = None,
    invite_form: InviteForm | None = None,
    row_errors: dict[str, str] | None = None,
    invitation: invites.Invitation | None = None,
    status: int = 200,
) -> HttpResponse:
    members = list(
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )
    managers = sum(1 for m in members if m.role == Role.MANAGER)
    rows: list[dict[str, Any]] = [
        {
            "membership": m,
            "last_manager": m.role == Role.MANAGER and managers == 1,
            "is_you": m.user_id == request.user.pk,
            "error": (row_errors or {}).get(m.user.username, ""),
        }
        for m in members
    ]
    return render_section(
        request,
        TEMPLATE,
        project,
        SECTION,
        {
            "rows": rows,
            "roles": Role.choices,
            "add_form": add_form or AddMemberForm(project=project),
            "invite_form": invite_form or InviteForm(),
            "invitation": invitation,
            "sends_email": settings.ANNOTATOR_SENDS_EMAIL,
            "link_days": f"{settings.PASSWORD_RESET_TIMEOUT / 86400:g}",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, slug: str):
    """The list (GET); *Add member* (POST)."""
    project, _ = manager_project(request, slug)
    if request.method != "POST":
        return _page(request, project)
    form = AddMemberForm(request.POST, project=project)
    if form.is_valid():
        try:
            do_add_member(project, form.user, form.cleaned_data["role"])
        except Invalid as exc:
            _add_problems(form, exc)
        else:
            role = Role(form.cleaned_data["role"]).label.lower()
            messages.success(request, f"{form.user.username} joined the project as {role}.")
            return redirect(SECTION, slug=slug)
    return _page(request, project, add_form=form, status=400)


@login_required
@require_POST
def invite(request, slug: str):
    """*Invite*: create the account and show its one-time link (mailed when e-mail is set up)."""
    project, _ = manager_project(request, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invites.do_invite_by_email(
                project,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                settings.ANNOTATOR_BASE_URL or request.build_absolute_uri("/"),
            )
        except Invalid as exc:
            _add_problems(form, exc, rename={"username": "email"})
        else:
            # The page itself, not a redirect: the link is shown this once and never stored.
            return _page(request, project, invitation=invitation)
    return _page(request, project, invite_form=form, status=400)


@login_required
@require_POST
def change_role(request, slug: str, username: str):
    project, mine = manager_project(request, slug)
    membership = access.member_of(project, username)
    role = request.POST.get("role", "")
    if role not in Role.values:
        return _page(
            request,
            project,
            row_errors={membership.user.username: "Choose manager, reviewer or annotator."},
            status=400,
        )
    try:
        do_add_member(project, membership.user, role)
    except Invalid as exc:
        return _page(
            request, project, row_errors={membership.user.username: _message(exc)}, status=400
        )
    label = Role(role).label.lower()
    if membership.user_id == request.user.pk and role != Role.MANAGER:
        messages.success(request, f"You are now {label} in this project.")
        return redirect("project", slug=slug)
    messages.success(request, f"{membership.user.username} is now {label}.")
    return redirect(SECTION, slug=slug)


@login_required
@require_POST
def remove(request, slug: str, username: str):
    project, _ = manager_project(request, slug)
    membership = access.member_of(project, username)
    try:
        do_remove_member(project, membership.user)
    except Invalid as exc:
        return _page(
            request, project, row_errors={membership.user.username: _message(exc)}, status=400
        )
    if membership.user_id == request.user.pk:
        messages.success(request, f"You left {project.name}.")
        return redirect("home")
    messages.success(
        request,
        f"{membership.user.username} is no longer a member; the work they did stays.",
    )
    return redirect(SECTION, slug=slug)


def _message(exc: Invalid) -> str:
    return " ".join(p.message for p in exc.problems)


def _add_problems(form: forms.Form, exc: Invalid, rename: dict[str, str] | None = None) -> None:
    """The domain's problems next to the form's fields (the form's own error otherwise)."""
    for problem in exc.problems:
        field = (rename or {}).get(problem.field, problem.field)
        form.add_error(field if field in form.fields else None, problem.message)
