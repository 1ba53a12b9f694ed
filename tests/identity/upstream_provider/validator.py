from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class StandInValidator(OAuth2Validator):
    """Sends each test person's claims (as FranceConnect would: names, e-mail, birth data)."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        for person in settings.UPSTREAM_USERS:
            if person["username"] == request.user.username:
                return dict(person["claims"])
        return {}
