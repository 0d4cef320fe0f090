"""rouei (漏洩): structured, evidence-linked records from Japanese personal-data leak notices.

The public Python face; see docs/api.md. Importing ``rouei`` is cheap: spaCy and the model
load only when something is extracted.

    >>> import rouei
    >>> record = rouei.extract_text("2024年5月1日、顧客の氏名が漏えいしました。")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Extractor", "RoueiError", "__version__", "extract_text"]

if TYPE_CHECKING:
    from rouei.extract.api import Extractor, extract_text
    from rouei.extract.core.errors import RoueiError

_LAZY = {
    "Extractor": "rouei.extract.api",
    "extract_text": "rouei.extract.api",
    "RoueiError": "rouei.extract.core.errors",
}


def __getattr__(name: str) -> Any:
    """Public names load on first use, so ``rouei --help`` and ``rouei eval`` stay fast."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rouei' has no attribute {name!r}")
