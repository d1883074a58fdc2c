from __future__ import annotations

import io
import zipfile

import pytest


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """CVs go to a per-test private folder, outside MEDIA_ROOT; pages in the English source."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.LANGUAGE_CODE = "en"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
