"""Severity from an advisory's CVSS vector, computed with the ``cvss`` library (v3.x and v4.0)."""

from __future__ import annotations

from functools import lru_cache

from opskit.core.findings import Severity

_DATABASE_RATINGS = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MODERATE": Severity.MEDIUM,
                     "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}


@lru_cache(maxsize=4096)
def base_score(vector: str) -> float | None:
    """The CVSS base score of a v3.0/v3.1/v4.0 vector; None for a malformed or unsupported vector."""
    from cvss import CVSS3, CVSS4, CVSSError

    try:
        if vector.startswith("CVSS:4.0/"):
            return float(CVSS4(vector).base_score)
        if vector.startswith("CVSS:3."):
            return float(CVSS3(vector).base_score)
    except (CVSSError, ValueError, KeyError):
        return None
    return None


def from_score(score: float) -> Severity:
    """The CVSS qualitative rating (same bands for v3 and v4); "none" (0.0) becomes info."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW if score > 0 else Severity.INFO


def from_database_rating(rating: str | None) -> Severity | None:
    """A database's own word (GHSA ``database_specific.severity``) where no vector exists."""
    return _DATABASE_RATINGS.get((rating or "").upper())
