"""The printable certificate: A4 PDF laid out by WeasyPrint (as the board report is), with a QR code to the
credential's public verification page."""

from __future__ import annotations

from django.template.loader import render_to_string

from cultivate.core.formatting import uk_date

from . import documents, presenters
from .models import IssuedCredential


def certificate_html(credential: IssuedCredential) -> str:
    url = documents.verification_url(credential.identifier)
    achievement = presenters.achievement(credential)
    return render_to_string(
        "credentials/certificate_print.jinja",
        {
            "credential": credential,
            "holder": credential.document.get("credentialSubject", {}).get("name", ""),
            "issuer": credential.key.issuer_name,
            "description": achievement.get("description", ""),
            "criteria": (achievement.get("criteria") or {}).get("narrative", ""),
            "alignments": presenters.alignments(credential),
            "issued_on": uk_date(credential.issued_at.date()),
            "url": url,
            "qr": presenters.qr_svg(url),
        },
    )


def certificate_pdf(credential: IssuedCredential) -> bytes:
    from cultivate.insights.report.render import render_pdf  # WeasyPrint, which fetches nothing

    return render_pdf(certificate_html(credential))
