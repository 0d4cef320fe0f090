"""rouei: structured, evidence-linked records from Japanese personal-data leak notices."""

__version__ = "0.1.0"
