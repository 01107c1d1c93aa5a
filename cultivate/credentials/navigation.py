"""The credentials app's links: a worker's certificates and record, an assessor's prior assessment to recognise,
and an admin's issued credentials."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(),
    home=(
        Link(
            "Certificates and competence record",
            "credentials:mine",
            "view_own_credentials",
            order=15,
            description="Your certificates, and a verifiable record of your sign-offs to take to another employer.",
        ),
        Link(
            "Recognise prior assessment",
            "credentials:recognitions",
            "review_recognitions",
            order=35,
            description="Sign-offs new staff bring from another employer, checked and ready to confirm.",
        ),
        Link(
            "Credentials issued",
            "credentials:issued",
            "work_with_issuing",
            order=70,
            description="Certificates your organisation has issued, revocation, and its signing key.",
        ),
    ),
)
