"""The API's JSON parser: DRF's, refusing text PostgreSQL cannot store (issue 8: a JSON
string with a lone surrogate, "\\ud800", answered 500 instead of 400)."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

INVALID_TEXT = "Le contenu JSON contient un caractère invalide (demi-caractère Unicode isolé)."


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(INVALID_TEXT) from None
        if "\x00" in json.dumps(data, ensure_ascii=False):
            raise ParseError("Le contenu JSON contient un caractère nul.")
        return data
