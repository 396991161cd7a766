"""People management: a hanke's members, the programme office's user list and the services."""

from __future__ import annotations

from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Membership
from projects.models import ProgrammeRole
from projects.services import MembershipConflictError
from projects.services import member_change_role
from projects.services import member_end
from projects.services import member_invite
from projects.services import programme_role_set
from projects.services import user_set_active

from .factories import IndicatorFactory
from .factories import MembershipFactory
from .factories import UserFactory
from .helpers import form_poster

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """These tests read the English texts: the person has chosen English with the switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _members_url(project) -> str:
    return reverse("project-members", args=[project.pk])


def _edit_url(membership) -> str:
    return reverse("member-edit", args=[membership.pk])


def _membership(user, project) -> Membership:
    return Membership.objects.get(user=user, project=project)


# The role change of a person who opened the membership at version 1: to manager.
_promote_seen_at_version_1 = partial(member_change_role, role="manager", expected_version=1)


def _manager_invites(personas, email: str, name: str = "", role: str = "worker") -> Membership:
    """The hanke's manager invites `email` (`name`: first and last) as `role`, through the
    service."""
    first_name, _, last_name = name.partition(" ")
    return member_invite(
        project=personas.project,
        actor=personas.project_manager,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
    )


# The invitation of a new worker as the form sends it.
INVITE_FORM = {
    "email": "Uusi.Henkilo@Example.invalid",
    "first_name": "Uusi",
    "last_name": "Henkilö",
    "role": "worker",
}
_invite = form_poster(_members_url, INVITE_FORM)


# --- Who sees what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get(_members_url(personas.project))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "forms_shown"),
    [
        ("programme_admin", True),
        ("ministry_viewer", False),
        ("steering_member", False),
        ("project_manager", True),
        ("project_worker", False),
    ],
)
def test_anyone_who_sees_the_hanke_sees_its_members(client, personas, persona, forms_shown):
    client.force_login(getattr(personas, persona))
    response = client.get(_members_url(personas.project))
    page = response.content.decode()
    assert response.status_code == 200
    assert personas.project_worker.last_name in page
    assert ('name="action" value="end"' in page) is forms_shown
    assert ('name="email"' in page) is forms_shown  # the invitation form


def test_a_manager_of_another_hanke_gets_404(client, personas):
    # given the manager of the other hanke
    client.force_login(personas.outsider)
    worker_membership = _membership(personas.project_worker, personas.project)
    # when / then
    assert client.get(_members_url(personas.project)).status_code == 404
    assert _invite(client, personas.project).status_code == 404
    response = client.post(_edit_url(worker_membership), {"action": "end"})
    assert response.status_code == 404
    assert not User.objects.filter(email__iexact="uusi.henkilo@example.invalid").exists()
    assert _membership(personas.project_worker, personas.project).valid_to is None


@pytest.mark.parametrize("persona", ["project_worker", "steering_member", "ministry_viewer"])
def test_read_only_roles_get_403_on_post(client, personas, persona):
    client.force_login(getattr(personas, persona))
    worker_membership = _membership(personas.project_worker, personas.project)
    assert _invite(client, personas.project).status_code == 403
    response = client.post(
        _edit_url(worker_membership),
        {"action": "role", "role": "manager", "expected_version": worker_membership.version},
    )
    assert response.status_code == 403
    assert client.post(_edit_url(worker_membership), {"action": "end"}).status_code == 403
    assert _membership(personas.project_worker, personas.project).role == "worker"


# --- Invite ----------------------------------------------------------------------------------


def test_manager_invites_a_new_person(client, personas):
    # given
    client.force_login(personas.project_manager)
    # when
    response = _invite(client, personas.project)
    # then a user exists, without a usable password, and is an active member
    assert response.status_code == 302
    user = User.objects.get(email__iexact="uusi.henkilo@example.invalid")
    assert user.username == "uusi.henkilo@example.invalid"
    assert not user.has_usable_password()
    membership = _membership(user, personas.project)
    assert membership.role == "worker"
    assert Membership.objects.active().filter(pk=membership.pk).exists()
    # and the history names the manager
    assert membership.history.get().history_user == personas.project_manager
    # and the page lists the person
    page = client.get(_members_url(personas.project)).content.decode()
    assert "Uusi Henkilö" in page


def test_invite_finds_an_existing_user_by_email_case_insensitively(personas):
    existing = UserFactory(username="olemassa", email="Olemassa@Example.invalid")
    membership = _manager_invites(personas, "olemassa@example.INVALID", "Toinen Nimi", "steering")
    assert membership.user == existing
    existing.refresh_from_db()
    assert existing.first_name != "Toinen"  # an invite never renames an existing person


def test_inviting_an_active_member_again_is_a_field_error(client, personas):
    client.force_login(personas.project_manager)
    response = _invite(client, personas.project, email=personas.project_worker.email)
    page = response.content.decode()
    assert response.status_code == 200
    assert "already a member of this hanke" in page
    assert 'role="alert"' in page
    assert personas.project_worker.email in page  # the input is kept
    assert Membership.objects.filter(user=personas.project_worker).count() == 1


def test_inviting_an_ended_member_reactivates_the_membership(personas):
    membership = _membership(personas.project_worker, personas.project)
    member_end(membership=membership, actor=personas.project_manager)
    again = _manager_invites(personas, personas.project_worker.email, role="manager")
    assert again.pk == membership.pk
    assert again.valid_to is None and again.role == "manager"
    assert Membership.objects.active().filter(pk=membership.pk).exists()


def test_htmx_invite_answers_with_the_partial_and_announces_it(client, personas):
    client.force_login(personas.project_manager)
    response = client.post(
        _members_url(personas.project),
        {"email": "x@example.invalid", "first_name": "Xa", "last_name": "Yy", "role": "worker"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="members"' in page
    assert 'hx-swap-oob="innerHTML"' in page and "is now a member of the hanke" in page


def test_an_xss_payload_as_first_name_is_shown_escaped(client, personas):
    client.force_login(personas.project_manager)
    _invite(client, personas.project, first_name="<script>alert(1)</script>")
    page = client.get(_members_url(personas.project)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


# --- Role changes ----------------------------------------------------------------------------


def _post_role(client, personas, actor, user, role: str):
    """`actor` signs in and posts `role` for `user`'s membership of the own hanke, against
    its version; returns the membership and the response."""
    client.force_login(actor)
    membership = _membership(user, personas.project)
    data = {"action": "role", "role": role, "expected_version": membership.version}
    return membership, client.post(_edit_url(membership), data)


def test_manager_changes_a_workers_role(client, personas):
    manager, worker = personas.project_manager, personas.project_worker
    membership, response = _post_role(client, personas, manager, worker, "steering")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "steering" and membership.version == 2
    assert membership.history.first().history_user == personas.project_manager


def test_a_worker_cannot_raise_their_own_role(client, personas):
    worker = personas.project_worker
    _own, response = _post_role(client, personas, worker, worker, "manager")
    assert response.status_code == 403
    assert _membership(personas.project_worker, personas.project).role == "worker"


def test_a_manager_cannot_change_their_own_membership(client, personas):
    # given the manager, when they post a new role for their own membership
    manager = personas.project_manager
    membership, response = _post_role(client, personas, manager, manager, "worker")
    # then it is shown as an error and nothing changed
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and "You cannot change your own membership" in page
    membership.refresh_from_db()
    assert membership.role == "manager" and membership.version == 1
    with pytest.raises(ValidationError):
        member_end(membership=membership, actor=personas.project_manager)


def test_a_stale_version_is_a_conflict_not_an_overwrite(client, personas):
    # given two managers who opened the page at version 1
    client.force_login(personas.project_manager)
    membership = _membership(personas.project_worker, personas.project)
    member_change_role(
        membership=membership, actor=personas.programme_admin, role="steering", expected_version=1
    )
    # when the second saves with the old version
    response = client.post(
        _edit_url(membership), {"action": "role", "role": "manager", "expected_version": 1}
    )
    # then nothing is overwritten and the page says why, keeping the choice
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this membership meanwhile" in page
    assert 'name="expected_version" value="2"' in page
    assert '<option value="manager" selected>' in page
    assert _membership(personas.project_worker, personas.project).role == "steering"
    with pytest.raises(MembershipConflictError):
        _promote_seen_at_version_1(membership=membership, actor=personas.project_manager)


def test_an_unknown_role_is_refused(personas):
    membership = _membership(personas.project_worker, personas.project)
    with pytest.raises(ValidationError):
        member_change_role(
            membership=membership, actor=personas.project_manager, role="admin", expected_version=1
        )


# --- Ending a membership ---------------------------------------------------------------------


def test_ending_a_membership_removes_access_at_once(client, personas):
    # given a worker who is logged in and sees the hanke's indicators
    indicator_list = reverse("measures:indicator-list", args=[personas.project.pk])
    worker_client = client.__class__()
    worker_client.force_login(personas.project_worker)
    assert worker_client.get(indicator_list).status_code == 200
    # when the manager ends the membership
    client.force_login(personas.project_manager)
    membership = _membership(personas.project_worker, personas.project)
    assert client.post(_edit_url(membership), {"action": "end"}).status_code == 302
    # then the worker's next request is refused, and the row stays with its history
    assert worker_client.get(indicator_list).status_code == 404
    membership.refresh_from_db()
    assert membership.valid_to is not None
    assert membership.history.first().history_user == personas.project_manager
    page = client.get(_members_url(personas.project)).content.decode()
    assert "Ended memberships" in page


# --- The programme office's user list --------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["ministry_viewer", "steering_member", "project_manager", "project_worker", "outsider"],
)
def test_user_list_is_403_for_non_admins(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("user-list")).status_code == 403
    target = personas.project_worker
    url = reverse("user-edit", args=[target.pk])
    assert client.post(url, {"action": "deactivate"}).status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_admin_sees_every_user_with_roles(client, personas, django_assert_max_num_queries):
    client.force_login(personas.programme_admin)
    MembershipFactory.create_batch(5)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("user-list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert personas.project_worker.username in page
    assert '<option value="viewer" selected>' in page  # the viewer's programme role


def test_admin_deactivates_a_user_who_is_logged_out_at_once(client, personas):
    # given a worker logged in
    worker_client = client.__class__()
    worker_client.force_login(personas.project_worker)
    home = reverse("home")
    assert worker_client.get(home).status_code == 200
    # when the admin deactivates the account
    client.force_login(personas.programme_admin)
    url = reverse("user-edit", args=[personas.project_worker.pk])
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    # then the worker's sessions are gone and the next request goes to the login page
    worker_pk = str(personas.project_worker.pk)
    assert not any(s.get_decoded().get("_auth_user_id") == worker_pk for s in Session.objects.all())
    response = worker_client.get(home)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # and the admin's own session is untouched
    assert client.get(home).status_code == 200


def test_admin_cannot_deactivate_themselves(client, personas):
    client.force_login(personas.programme_admin)
    url = reverse("user-edit", args=[personas.programme_admin.pk])
    response = client.post(url, {"action": "deactivate"})
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    personas.programme_admin.refresh_from_db()
    assert personas.programme_admin.is_active


def test_admin_sets_and_ends_a_programme_role(client, personas):
    client.force_login(personas.programme_admin)
    url = reverse("user-edit", args=[personas.project_worker.pk])
    assert client.post(url, {"action": "role", "programme_role": "viewer"}).status_code == 302
    role = ProgrammeRole.objects.get(user=personas.project_worker)
    assert role.role == "viewer"
    assert role.history.first().history_user == personas.programme_admin
    assert client.post(url, {"action": "role", "programme_role": ""}).status_code == 302
    assert not ProgrammeRole.objects.active().filter(user=personas.project_worker).exists()


def test_home_shows_the_users_link_only_to_the_programme_office(client, personas):
    client.force_login(personas.programme_admin)
    assert reverse("user-list") in client.get(reverse("home")).content.decode()
    client.force_login(personas.project_manager)
    page = client.get(reverse("home")).content.decode()
    assert reverse("user-list") not in page
    assert _members_url(personas.project) in page


# --- Services called directly ----------------------------------------------------------------


def test_services_refuse_unpermitted_calls(personas):
    worker_membership = _membership(personas.project_worker, personas.project)
    invite = {"email": "z@example.invalid", "first_name": "Z", "last_name": "Z", "role": "worker"}
    with pytest.raises(PermissionDenied):
        member_invite(project=personas.project, actor=personas.project_worker, **invite)
    with pytest.raises(PermissionDenied):
        member_invite(project=personas.project, actor=personas.outsider, **invite)
    with pytest.raises(PermissionDenied):
        _promote_seen_at_version_1(membership=worker_membership, actor=personas.steering_member)
    with pytest.raises(PermissionDenied):
        member_end(membership=worker_membership, actor=personas.ministry_viewer)
    with pytest.raises(PermissionDenied):
        user_set_active(user=personas.project_worker, actor=personas.project_manager, active=False)
    with pytest.raises(PermissionDenied):
        programme_role_set(
            user=personas.project_manager, actor=personas.project_manager, role="admin"
        )
    assert not User.objects.filter(email="z@example.invalid").exists()
    assert _membership(personas.project_worker, personas.project).valid_to is None
    assert not ProgrammeRole.objects.filter(user=personas.project_manager).exists()


def test_an_indicator_of_the_hanke_is_visible_to_an_invited_worker(client, personas):
    # given an invited person with a password set through the reset flow
    indicator = IndicatorFactory(project=personas.project)
    membership = _manager_invites(personas, "kutsuttu@example.invalid", "Kutsuttu Henkilö")
    # when they log in
    client.force_login(membership.user)
    # then they see the hanke's indicators
    url = reverse("measures:indicator-detail", args=[indicator.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra_members", [1, 12])
def test_member_page_query_count_is_flat(
    client, personas, extra_members, django_assert_max_num_queries
):
    MembershipFactory.create_batch(extra_members, project=personas.project)
    client.force_login(personas.project_manager)
    with django_assert_max_num_queries(8):
        response = client.get(_members_url(personas.project))
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_invited_person_can_set_a_first_password_through_the_reset_link(client, mailoutbox):
    # given an invited person (no usable password yet)
    invited = get_user_model().objects.create(username="kutsuttu", email="kutsuttu@example.invalid")
    invited.set_unusable_password()
    invited.save()
    # when they ask for a reset link
    response = client.post(reverse("password_reset"), {"email": "KUTSUTTU@example.invalid"})
    # then the link is sent
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "kutsuttu@example.invalid" in mailoutbox[0].to


@pytest.mark.django_db
def test_password_pages_use_the_portal_layout(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert 'class="site-header"' in html and 'name="email"' in html


@pytest.mark.django_db
def test_deactivation_is_in_the_change_log_naming_the_admin(client, personas):
    # given the admin deactivates a user through the service
    user_set_active(user=personas.outsider, actor=personas.programme_admin, active=False)
    # when the admin reads the user's history
    client.force_login(personas.programme_admin)
    url = reverse("object-history", args=["user", personas.outsider.pk])
    html = client.get(url).content.decode()
    # then the change and its actor are there
    assert personas.programme_admin.get_full_name() in html or "admin" in html
    log = client.get(reverse("change-log")).content.decode()
    assert f"/historia/user/{personas.outsider.pk}/" in log
