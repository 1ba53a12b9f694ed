"""PDF documents (acknowledgements, decisions, titres de recette) rendered by WeasyPrint from
Django templates. Rendering takes tens of milliseconds: call it from Celery tasks, not from
request handlers that must answer fast.

Every document is tagged for assistive technologies and archivable (issue 26):
- RGAA criterion 13.3 (law 2005-102 art. 47): a downloadable document is accessible: the
  PDF carries its structure tree (headings, tables with their header cells, figures with
  their alternative text), its language (the template's ``<html lang>``) and its title
  (``<title>``), and declares PDF/UA-1;
- the acts are kept for years (the request's legal record, the accountant's pièces
  justificatives): PDF/A-3u, fonts and the sRGB output intent embedded, and files attached
  as PDF/A-3 allows (the titre's liquidation as JSON).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

# ISO 19005-3 (PDF/A-3), level U: Unicode text, so that the text can be searched and read.
PDF_VARIANT = "pdf/a-3u"
# ISO 14289-1 (PDF/UA-1) identification, added to the XMP metadata WeasyPrint writes.
PDFUA_XMP = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>"
)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    content: bytes
    description: str = ""
    # ISO 32000-2 7.11.3: "Data" for the machine-readable data the document presents.
    relationship: str = "Data"


def render_pdf(
    template_name: str, context: dict, *, attachments: tuple[PdfAttachment, ...] = ()
) -> bytes:
    # Imported here: WeasyPrint costs ~1 s to import, and every process that loads the apps
    # (web, each test worker, each bench script) would pay it whether it renders or not.
    from weasyprint import HTML, Attachment

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        xmp_metadata=[io.BytesIO(PDFUA_XMP)],
        attachments=[
            Attachment(
                string=a.content,
                name=a.name,
                description=a.description or None,
                relationship=a.relationship,
            )
            for a in attachments
        ],
    )


def pdf_issue(
    template_name: str,
    context: dict,
    *,
    reason: str,
    attachments: tuple[PdfAttachment, ...] = (),
) -> bytes:
    """An act as the portal issues it: rendered, then sealed with the operator's seal
    (portal.seal; ``reason`` names the act in the signature). Worker only, with no
    transaction open: refused before rendering otherwise."""
    from portal.seal import issuing_outside_transactions, pdf_seal

    issuing_outside_transactions()
    return pdf_seal(render_pdf(template_name, context, attachments=attachments), reason=reason)
