"""The RSA key that signs the operator's ID tokens outside production (production sets
OIDC_RSA_PRIVATE_KEY). Kept under var/ so that tokens stay valid across restarts. It lives
in portal/ because settings load it before any app is ready."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def development_private_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = new_private_key_pem()
        # Several processes may start at once: the first complete file wins.
        tmp = path.with_suffix(f".{id(pem)}.tmp")
        tmp.write_text(pem)
        tmp.chmod(0o600)
        try:
            path.hardlink_to(tmp)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text()
