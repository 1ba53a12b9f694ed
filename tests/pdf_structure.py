"""What an issued PDF declares about itself, read back from its bytes with pypdf (not from
the code that wrote it): its structure tree (issue 26, RGAA 13.3) and its PDF/A profile."""

import io
import re

from pypdf import PdfReader
from pypdf.generic import IndirectObject


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def structure_tags(reader: PdfReader) -> list[tuple[str, dict]]:
    """Every element of the structure tree, in reading order: (tag, element)."""
    found: list[tuple[str, dict]] = []

    def walk(node) -> None:
        node = _resolved(node)
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get") or node.get("/S") is None:
            return
        found.append((str(node["/S"]), node))
        if "/K" in node:
            walk(node["/K"])

    root = reader.trailer["/Root"]
    walk(_resolved(root["/StructTreeRoot"])["/K"])
    return found


def xmp(reader: PdfReader) -> str:
    """The XMP metadata packet ("" when the PDF has none)."""
    metadata = reader.trailer["/Root"].get("/Metadata")
    return _resolved(metadata).get_data().decode() if metadata is not None else ""


def accessibility_problems(content: bytes, *, title: str) -> list[str]:
    """What keeps a PDF from being read by assistive technologies (empty: nothing)."""
    reader = PdfReader(io.BytesIO(bytes(content)))
    root = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in root:
        return ["no structure tree"]
    if str(root.get("/Lang", "")) != "fr":
        problems.append(f"language {root.get('/Lang')!r}")
    if not _resolved(root.get("/MarkInfo", {})).get("/Marked"):
        problems.append("not marked")
    if title not in str(reader.metadata.get("/Title", "")) or title not in xmp(reader):
        problems.append(f"title {reader.metadata.get('/Title')!r}")
    if not _resolved(root.get("/ViewerPreferences", {})).get("/DisplayDocTitle"):
        problems.append("the viewer shows the file name, not the title")
    if not re.search(r'pdfuaid:part(="1"|>1<)', xmp(reader)):
        problems.append("no PDF/UA-1 identification")
    tags = structure_tags(reader)
    names = [tag for tag, _ in tags]
    headings = [int(tag[2]) for tag in names if re.fullmatch(r"/H[1-6]", tag)]
    if not headings or headings[0] != 1:
        problems.append(f"headings start at {headings[:1]}")
    if any(b > a + 1 for a, b in zip(headings, headings[1:], strict=False)):
        problems.append(f"headings skip a level: {headings}")
    if "/Table" in names and "/TH" not in names:
        problems.append("a table without header cells")
    problems += [
        "a figure without alternative text"
        for tag, element in tags
        if tag == "/Figure" and not str(element.get("/Alt", "")).strip()
    ]
    return problems


def pdfa_problems(content: bytes) -> list[str]:
    """What keeps a PDF from meeting the PDF/A-3 profile it declares (empty: nothing)."""
    reader = PdfReader(io.BytesIO(bytes(content)))
    root = reader.trailer["/Root"]
    metadata = xmp(reader)
    problems = []
    if not re.search(r'pdfaid:part(="3"|>3<)', metadata):
        problems.append("no PDF/A-3 declaration")
    if not re.search(r'pdfaid:conformance(="[BU]"|>[BU]<)', metadata):
        problems.append("no PDF/A conformance level")
    intents = [_resolved(i) for i in root.get("/OutputIntents", [])]
    if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
        problems.append("no PDF/A output intent with its colour profile")
    for page in reader.pages:
        for name, font in _resolved(page["/Resources"]).get("/Font", {}).items():
            font = _resolved(font)
            fonts = [font] + [_resolved(f) for f in font.get("/DescendantFonts", [])]
            descriptors = [_resolved(f["/FontDescriptor"]) for f in fonts if "/FontDescriptor" in f]
            if not any(
                key in d for d in descriptors for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                problems.append(f"font {name} not embedded")
    if reader.is_encrypted:
        problems.append("encrypted")
    return problems


def attachments(content: bytes) -> dict[str, bytes]:
    reader = PdfReader(io.BytesIO(bytes(content)))
    return {name: data[0] for name, data in reader.attachments.items()}


def seal_status(content: bytes):
    """pyHanko's own validation of the file's last signature against the test CA that
    portal.seal made under var/seal/ (None: no signature)."""
    from django.conf import settings
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from portal.seal import outside_event_loop

    signatures = PdfFileReader(io.BytesIO(bytes(content))).embedded_signatures
    if not signatures:
        return None
    root = load_cert_from_pemder(str(settings.PDF_SEAL_DEV_DIR / "ca-cert.pem"))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return outside_event_loop(validate_pdf_signature, signatures[-1], context)
