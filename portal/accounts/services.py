from django.db import transaction

from portal.accounts.models import User


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """A citizen's account: global, valid in every commune (seed 002)."""
    return User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
