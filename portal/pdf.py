"""PDF documents (acknowledgements, decisions, titres de recette) rendered by WeasyPrint from
Django templates. Rendering takes tens of milliseconds: call it from Celery tasks, not from
request handlers that must answer fast."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
