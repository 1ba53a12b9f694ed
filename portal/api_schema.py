"""The OpenAPI schema documents the error answers every API view may give (issue 8), so
that a client (and the fuzzing test, tests/api/test_fuzzing.py) knows them:

- 400 invalid input (field errors by name, or ``detail``), 403 refused (not allowed, the
  commune's access suspended, CSRF), 404 unknown or another commune's object, 409 a
  conflict (slot taken, request in the wrong status), 410 the commune has left the portal,
  413 a body over the size limits (``portal/inputs.py``),
  429 too many attempts (``portal/limits.py``). 405 when a method is not served.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Erreur : message en français (« detail »), code, ou erreurs par champ.",
    "properties": {
        "detail": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}
ERRORS = {
    "400": "Données invalides.",
    "403": "Accès refusé (droits, accès de la commune suspendu).",
    "404": "Introuvable.",
    "405": "Méthode non permise.",
    "409": "Conflit : créneau déjà pris, ou demande dans un état qui ne le permet pas.",
    "410": "Service fermé : la commune n'est plus raccordée au portail.",
    "413": "Envoi trop volumineux (voir les limites de taille).",
    "429": "Trop de tentatives : réessayer plus tard (voir l'en-tête Retry-After).",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: the shared error answers on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
