"""Credentials and verification results as pages show them: labels, dates, the NHS tag for each outcome."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import segno

from cultivate.core.formatting import uk_date

from .models import IssuedCredential
from .verification import Outcome, Verification

TAG_CLASS = {
    Outcome.VALID: "nhsuk-tag--green",
    Outcome.REVOKED: "nhsuk-tag--red",
    Outcome.EXPIRED: "nhsuk-tag--orange",
    Outcome.UNCHECKED: "nhsuk-tag--yellow",
    Outcome.NOT_GENUINE: "nhsuk-tag--red",
}

HEADLINE = {
    Outcome.VALID: "This credential is valid",
    Outcome.REVOKED: "This credential has been revoked",
    Outcome.EXPIRED: "This credential has expired",
    Outcome.UNCHECKED: "This credential could not be checked",
    Outcome.NOT_GENUINE: "This is not a genuine credential",
}


@dataclass(frozen=True)
class VerificationView:
    outcome: str
    label: str
    tag_class: str
    headline: str
    reason: str
    name: str
    holder: str
    issuer_name: str
    issuer_id: str
    issuer_known: bool
    valid_from: str
    valid_until: str


def verification_view(result: Verification) -> VerificationView:
    label = str(result.outcome.label)
    if result.outcome == Outcome.REVOKED and result.reason:
        label = f"Revoked ({result.reason})"
    return VerificationView(
        outcome=str(result.outcome),
        label=label,
        tag_class=TAG_CLASS[result.outcome],
        headline=HEADLINE[result.outcome],
        reason=result.reason,
        name=result.name,
        holder=result.holder,
        issuer_name=result.issuer_name,
        issuer_id=result.issuer_id,
        issuer_known=result.issuer_known,
        valid_from=uk_date(result.valid_from.date()) if result.valid_from else "",
        valid_until=uk_date(result.valid_until.date()) if result.valid_until else "",
    )


def achievement(credential: IssuedCredential) -> dict[str, Any]:
    subject = credential.document.get("credentialSubject", {})
    found = subject.get("achievement", {})
    return found if isinstance(found, dict) else {}


def alignments(credential: IssuedCredential) -> list[dict[str, str]]:
    return [
        {"name": str(a.get("targetName", "")), "framework": str(a.get("targetFramework", ""))}
        for a in achievement(credential).get("alignment", [])
        if isinstance(a, dict)
    ]


def qr_svg(url: str) -> str:
    """The QR code of a verification page, as inline SVG (no file, nothing fetched)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, xmldecl=False, svgns=True, title="Verification page"
    )
    return out.getvalue().decode()
