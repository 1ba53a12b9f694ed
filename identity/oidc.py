"""What the operator's provider says about a person in ID tokens and userinfo."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class PortalOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = OAuth2Validator.oidc_claim_scope

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
