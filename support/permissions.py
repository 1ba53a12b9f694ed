"""Who works on the support desk: platform admins, and accounts given the "support" role."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection

from support.models import DeskMember


def is_desk(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_platform_admin or DeskMember.objects.filter(user=user).exists()


def desk_required(view_func):
    """The operator's host only; the desk's roles only."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if connection.schema_name != "public":
            raise PermissionDenied
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_desk(request.user):
            raise PermissionDenied
        return view_func(request, *args, **kwargs)

    # A staff surface: the staff-access policy (second factor) applies (issue 22).
    wrapper.staff_only = True
    return wrapper
