"""The hasher of the SSO clients' secrets (OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"])."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ClientSecretHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with one round, for SSO client secrets only.

    Those secrets are HMAC-SHA256 digests of SECRET_KEY (identity.services.sso): 256 bits
    nobody can guess, so stretching adds no protection, while Django's million rounds cost
    0.4 s at every onboarding (one client per domain) and every token exchange (issue 14:
    onboarding at 1,000 members within 0.5 s). Never used for passwords: it is not first in
    PASSWORD_HASHERS."""

    algorithm = "pbkdf2_sha256_client_secret"
    iterations = 1

    def must_update(self, encoded: str) -> bool:
        return False
