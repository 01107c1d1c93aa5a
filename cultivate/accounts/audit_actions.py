"""What the accounts app audits: signing in and out, passwords, users, roles and API tokens."""

from __future__ import annotations

from cultivate.core.audit_actions import AuditActions


class AccountsAction(AuditActions):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Sign-in locked"
    SIGN_IN_UNLOCKED = "sign_in_unlocked", "Sign-in unlocked"
    SIGN_OUT = "sign_out", "Signed out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    ROLE_SWITCHED = "role_switched", "Role switched"
    USER_CREATED = "user_created", "User created"
    USER_CHANGED = "user_changed", "User changed"
    USER_DEACTIVATED = "user_deactivated", "User deactivated"
    USER_INVITED = "user_invited", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    MEMBERSHIP_GRANTED = "membership_granted", "Role granted"
    MEMBERSHIP_REVOKED = "membership_revoked", "Role revoked"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
