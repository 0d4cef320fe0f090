"""Every error rouei reports, with a stable code (in the manner of spaCy's errors module)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "E001": "Cannot read input file",
    "E002": "Cannot decode the text",
    "E003": "Document is empty after conversion to text",
    "E004": "Extraction failed",
    "E005": "Document timed out",
    "E006": "Rules file is invalid",
    "E007": "Unsupported input type",
    "E008": "PDF has no text layer",
    "E009": "Gold or prediction file is invalid",
    "E010": "Worker process died",
    "E011": "PDF cannot be read",
    "E012": "Cannot write the output file",
    "E020": "Evaluation baseline is missing or out of date",
}

KINDS: dict[str, str] = {
    "E001": "io",
    "E002": "decode",
    "E003": "empty",
    "E004": "extract",
    "E005": "timeout",
    "E006": "rules",
    "E007": "input",
    "E008": "pdf_no_text",
    "E009": "eval_input",
    "E010": "worker",
    "E011": "pdf_invalid",
    "E012": "output",
    "E020": "baseline",
}


class RoueiError(Exception):
    """An error with a code; ``kind`` goes into error records."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.kind = KINDS.get(code, "error")
        self.detail = detail
        msg = f"[{code}] {MESSAGES.get(code, 'Error')}"
        super().__init__(f"{msg}: {detail}" if detail else msg)
