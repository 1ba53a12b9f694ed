"""What the "Sessions ouvertes" table says, in words (issue 24 §3): how the session was
opened ("mot de passe", "connexion unique") and which browser on which system, rather than
"sso" and a user-agent string."""

METHOD_LABELS = {
    "password": "Mot de passe",
    "sso": "Connexion unique (depuis le portail)",
    "franceconnect": "FranceConnect",
    "proconnect": "ProConnect",
}

# Checked in this order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def method_in_words(method: str) -> str:
    return METHOD_LABELS.get(method, method or "—")


def browser_in_words(user_agent: str) -> str:
    """ "Firefox sur Windows", "Safari sur iPhone"; "Navigateur inconnu" otherwise."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or "Navigateur inconnu"
