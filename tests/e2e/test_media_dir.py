"""A fresh install has no media directory until the first picture is uploaded: `/media/...` still
answers 404 (not 500), because the app creates the directory when it starts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from o2o.main import create_app


def test_media_answers_404_when_the_media_directory_did_not_exist(container, tmp_path: Path):
    media = tmp_path / "fresh-install" / "var" / "media"
    container.settings.media_dir = media
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        missing = client.get("/media/products/1/0123456789abcdef0123456789abcdef.png")
        assert missing.status_code == 404, missing.text
        assert client.get("/media/").status_code == 404
    assert media.is_dir()  # created at start: the first upload finds it in place
