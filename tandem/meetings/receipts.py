"""Checking a receipt before it is stored: PDF, JPEG or PNG, at most 5 MB, its type
read from the first bytes of the file itself (never from its name or from the content
type the browser sent), and the file's name agreeing with what it really is."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
MAX_FILENAME = 200

# kind → (content type, the bytes it starts with, extensions its name may have, words)
KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",), (".pdf",), "a PDF"),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",), (".png",), "a PNG image"),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",), (".jpg", ".jpeg"), "a JPEG image"),
}
ALLOWED_WORDS = "a PDF, JPEG or PNG"


class ReceiptRefused(ValueError):
    """The file cannot be a receipt; the message says why, naming the file."""


@dataclass(frozen=True)
class CheckedReceipt:
    filename: str
    content_type: str
    size: int
    data: bytes

    @property
    def encoded(self) -> str:
        return base64.b64encode(self.data).decode("ascii")


def sniff(head: bytes) -> str | None:
    for kind, (_, magics, _, _) in KINDS.items():
        if any(head.startswith(magic) for magic in magics):
            return kind
    return None


def clean_filename(name: str) -> str:
    """The file's own name without any folder, control characters or quotes."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    name = name.strip() or "receipt"
    if len(name) > MAX_FILENAME:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_FILENAME - len(ext)] + ext
    return name


def check_receipt(uploaded) -> CheckedReceipt:
    """Read and check an uploaded file; raise ReceiptRefused with a message to show."""
    filename = clean_filename(getattr(uploaded, "name", ""))
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_RECEIPT_BYTES:
        raise ReceiptRefused(f"“{filename}” is larger than 5 MB. Choose a smaller file.")
    uploaded.seek(0)
    data = uploaded.read(MAX_RECEIPT_BYTES + 1)
    if len(data) > MAX_RECEIPT_BYTES:
        raise ReceiptRefused(f"“{filename}” is larger than 5 MB. Choose a smaller file.")
    if not data:
        raise ReceiptRefused(f"“{filename}” is empty.")
    kind = sniff(data[:16])
    if kind is None:
        raise ReceiptRefused(
            f"“{filename}” is not {ALLOWED_WORDS}. Choose a receipt of one of those types."
        )
    content_type, _, extensions, words = KINDS[kind]
    extension = os.path.splitext(filename)[1].lower()
    if extension not in extensions:
        named = next((w for _, _, exts, w in KINDS.values() if extension in exts), None)
        if named:
            raise ReceiptRefused(
                f"“{filename}” is named as {named} but the file is {words}. Choose the "
                "right file, or rename it to match what it is."
            )
        raise ReceiptRefused(
            f"“{filename}” is {words} but its name does not end in "
            f"{' or '.join(extensions)}. Rename it to match what it is."
        )
    return CheckedReceipt(filename=filename, content_type=content_type, size=len(data), data=data)
