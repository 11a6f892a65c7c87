"""Who may do what: three roles, each including everything of the one below it.

Officers search, view adverts, pivot, pin to cases and export. Analysts also see the fired
rules and scores of the enrichment and the configuration (sources, keywords, saved
searches). Admins also manage accounts and read the audit log.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def can(self, permission: Permission) -> bool:
        return self.rank >= _RANKS[_NEEDS[permission]]


class Permission(StrEnum):
    SEARCH = "search"  # search, advert view, pivot, trends, saved searches
    PIN = "pin"
    EXPORT = "export"
    RULES = "rules"  # fired rules and scores of the enrichment
    CONFIG = "config"  # sources, keyword files, saved-search definitions
    USERS = "users"
    AUDIT = "audit"


_RANKS = {Role.OFFICER: 1, Role.ANALYST: 2, Role.ADMIN: 3}
_NEEDS: dict[Permission, Role] = {
    Permission.SEARCH: Role.OFFICER,
    Permission.PIN: Role.OFFICER,
    Permission.EXPORT: Role.OFFICER,
    Permission.RULES: Role.ANALYST,
    Permission.CONFIG: Role.ANALYST,
    Permission.USERS: Role.ADMIN,
    Permission.AUDIT: Role.ADMIN,
}


def parse_role(text: str) -> Role:
    """``"Analyst"`` -> ``Role.ANALYST``; raises ValueError naming the choices."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise ValueError(f"unknown role {text!r}; choose one of {choices}") from None
