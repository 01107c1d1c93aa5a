"""The issuer's archive: every credential the service has issued, one signed JSON file each, exactly as its holder
downloads it (`cultivate credentials export --out DIR`)."""

from __future__ import annotations

import json
from pathlib import Path

from cultivate.core.audit import AuditContext, audit

from .audit_actions import CredentialsAction
from .models import IssuedCredential


def export_all(out: Path, *, ctx: AuditContext) -> int:
    """Write `<identifier>.json` per credential into `out` (made if missing); each file written beside and renamed,
    so an interrupted export leaves no half file. Returns how many were written."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for credential in (
        IssuedCredential.objects.order_by("pk").only("identifier", "document").iterator(chunk_size=500)
    ):
        target = out / f"{credential.identifier}.json"
        partial = out / f".{credential.identifier}.json.part"
        partial.write_text(json.dumps(credential.document, indent=2, ensure_ascii=False), encoding="utf-8")
        partial.replace(target)
        count += 1
    audit(CredentialsAction.EXPORTED, ctx=ctx, count=count, out=str(out))
    return count
