"""Which upstream claims are kept, and when an e-mail counts as verified."""

import pytest

from identity.services.upstream import upstream_identity_from_claims

CLAIMS = {
    "sub": "abc",
    "given_name": "Camille",
    "family_name": "Martin",
    "email": "Camille@Example.fr",
    "birthdate": "1984-02-29",
    "birthplace": "05061",
}


def test_only_names_email_and_subject_are_kept():
    identity = upstream_identity_from_claims(provider="franceconnect", claims=CLAIMS)
    assert identity.as_session() == {
        "provider": "franceconnect",
        "subject": "abc",
        "email": "camille@example.fr",
        "email_verified": False,
        "given_name": "Camille",
        "family_name": "Martin",
    }


@pytest.mark.parametrize(
    ("claim", "trusts_email", "verified"),
    [
        (True, False, True),
        (None, False, False),
        (None, True, True),
        (False, True, False),  # an explicit "not verified" is never overridden
    ],
)
def test_when_an_email_counts_as_verified(claim, trusts_email, verified):
    claims = dict(CLAIMS) if claim is None else dict(CLAIMS, email_verified=claim)
    identity = upstream_identity_from_claims(
        provider="franceconnect", claims=claims, trusts_email=trusts_email
    )
    assert identity.email_verified is verified


def test_proconnect_usual_name_is_the_family_name():
    claims = {"sub": "x", "usual_name": "Garnier", "email": "a@b.fr"}
    identity = upstream_identity_from_claims(provider="proconnect", claims=claims)
    assert identity.family_name == "Garnier"
