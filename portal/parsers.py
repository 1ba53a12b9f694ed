"""The API's JSON parser: DRF's, refusing what PostgreSQL cannot store and what Python's
parser cannot nest (issue 8: a lone surrogate, "\\ud800", answered 500; issue 22: 5,000
levels of nesting did too). ``portal.inputs.InputMiddleware`` refuses these bodies before
any view; the parser checks again with the same rule, for bodies it is handed otherwise."""

import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from portal.inputs import json_refusal


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        reason = json_refusal(raw)
        if reason:
            raise ParseError(reason)
        return super().parse(io.BytesIO(raw), media_type, parser_context)
