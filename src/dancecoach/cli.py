"""The `dancecoach` command line: serve the app, add references, compare recorded videos."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="dancecoach: a K-pop dance practice coach.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
) -> None:
    """Run the web app and API server."""
    from dancecoach.api.server import run_server

    run_server(host=host, port=port)


if __name__ == "__main__":
    app()
