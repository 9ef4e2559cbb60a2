"""The built web front end at `/`, with single-page-app fallback to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from dancecoach.errors import NotFoundError

WEB_DIST = Path(__file__).resolve().parents[2] / "web_dist"

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>dancecoach</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>dancecoach</h1><p>The web front end is not built. Run <code>make run</code> (it builds it),
or use the API: <a href="/docs">/docs</a>.</p></body></html>"""

router = APIRouter(include_in_schema=False)


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    if candidate.is_relative_to(root.resolve()) and candidate.is_file():
        return candidate
    return None


@router.get("/{path:path}")
def web_app(path: str) -> Response:
    """Static files of the front end; any other non-API path gets index.html (SPA routing)."""
    if path == "api" or path.startswith(("api/", "ws/")):
        raise NotFoundError(f"No API endpoint /{path}.")
    index = WEB_DIST / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT)
    found = _inside(WEB_DIST, path) if path else None
    if found is not None:
        # Vite puts content hashes in asset names: those may be cached for good.
        cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
        return FileResponse(found, headers={"Cache-Control": cache})
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
