"""The person's own account security page, and the admin site's way in through allauth."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staffing.base.access import EVERYONE, public, role_required
from staffing.request_params import text_param
from staffing.security import has_second_factor, is_staff_user, local_path
from staffing.services.account_security import user_sessions_end


@role_required(*EVERYONE)
def security(request: HttpRequest) -> HttpResponse:
    context = {
        "has_second_factor": has_second_factor(request.user),
        "mfa_required": is_staff_user(request.user),
    }
    return render(request, "account/security.html", context)


@role_required(*EVERYONE)
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Log out everywhere: every session of this person ends, this one too."""
    user_sessions_end(user=request.user, by=request.user, reason="user_request")
    logout(request)
    messages.success(request, _("You are logged out on every device. Log in again here."))
    return redirect("account_login")


@public
def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin site has no login form of its own: allauth's, with its second factor and
    rate limits, then back to the admin page asked for."""
    target = local_path(request, text_param(request.GET, "next")) or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff and request.user.is_active:
            return redirect(target)
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
