"""The built front end is served at `/` with SPA fallback; the API is never shadowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dancecoach.api.routes import web


@pytest.fixture
def web_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "web_dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>dancecoach app</title>")
    (folder / "assets" / "app-123.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("not for you")
    monkeypatch.setattr(web, "WEB_DIST", folder)
    return folder


def test_static_files_and_spa_fallback(client: TestClient, web_dist: Path) -> None:
    index = client.get("/")
    assert "dancecoach app" in index.text
    asset = client.get("/assets/app-123.js")
    assert asset.text == "console.log('hi')"
    assert "immutable" in asset.headers["cache-control"]
    # Client-side routes get the app; tricks to climb out of the folder get the app too.
    assert "dancecoach app" in client.get("/practice/abc").text
    assert "not for you" not in client.get("/..%2Fsecret.txt").text
    assert "not for you" not in client.get("/assets/..%2F..%2Fsecret.txt").text


def test_api_paths_are_not_swallowed_by_the_app(client: TestClient, web_dist: Path) -> None:
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_without_a_build_the_root_explains_itself(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "WEB_DIST", tmp_path / "missing")
    page = client.get("/")
    assert page.status_code == 200
    assert "not built" in page.text
