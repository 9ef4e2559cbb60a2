"""The `dancecoach` command line: serve the app, add references, compare recorded videos.

Progress and errors go to stderr, so that `--json` leaves stdout one clean JSON object.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from dancecoach.config import get_settings
from dancecoach.errors import DancecoachError

app = typer.Typer(
    help="dancecoach: a K-pop dance practice coach.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
reference_app = typer.Typer(help="Manage reference choreography videos.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")
user_app = typer.Typer(help="Manage the accounts of a shared server.", no_args_is_help=True)
app.add_typer(user_app, name="user")

stderr = Console(stderr=True)
stdout = Console()


def fail(message: str) -> NoReturn:
    """One clear line on stderr and a non-zero exit, never a traceback."""
    stderr.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def silence_native_logs() -> None:
    """Keep C++ log lines (MediaPipe, TFLite, FFmpeg write them to fd 2) off the terminal.

    Python's own stderr moves to a duplicate of the real one, so progress, errors and
    tracebacks still show; set DANCECOACH_NATIVE_LOGS=1 to see the native lines too.
    """
    if os.environ.get("DANCECOACH_NATIVE_LOGS") == "1":
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(saved, "w", buffering=1)


@app.callback()
def main() -> None:
    """dancecoach: a K-pop dance practice coach."""
    silence_native_logs()


@contextmanager
def stage_progress() -> Iterator[Callable[[str, float], None]]:
    """A progress bar per named stage, on stderr."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=stderr,
        transient=False,
    ) as progress:

        def update(stage: str, fraction: float) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=1.0)
            progress.update(tasks[stage], completed=min(max(fraction, 0.0), 1.0))

        yield update


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    insecure_open: Annotated[
        bool,
        typer.Option(
            "--insecure-open",
            help="Serve a network address without accounts (a network you trust completely).",
        ),
    ] = False,
) -> None:
    """Run the web app and API server (accounts are required on a non-loopback address)."""
    from dancecoach.api.server import access_settings, run_server

    settings = get_settings()
    bind = host or settings.host
    try:
        resolved = access_settings(settings, bind, insecure_open=insecure_open)
    except DancecoachError as error:
        fail(str(error))
    who = "accounts required" if resolved.auth == "required" else "no sign-in (one user)"
    stderr.print(f"Serving {bind}: {who}.", highlight=False)
    run_server(host=bind, port=port or settings.port, settings=resolved)


@app.command()
def worker() -> None:
    """Run background jobs (reference preprocessing, replay clips) from the queue
    (DANCECOACH_JOBS=queue, PostgreSQL); run as many as there are cores to spare, on any
    machine."""
    import logging

    from dancecoach.jobs.queue import libpq_url
    from dancecoach.jobs.worker import run_worker

    settings = get_settings()
    try:
        libpq_url(settings.resolved_database_url)
    except ValueError as error:
        fail(str(error))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stderr.print("Worker: waiting for jobs.", highlight=False)
    with suppress(KeyboardInterrupt):
        asyncio.run(run_worker(settings))


def _read_password() -> str:
    """Twice from the terminal (not echoed), or the first line of stdin when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        fail("The two passwords differ.")
    return password


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Username (letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="teacher (manages the library) or learner.")],
) -> None:
    """Add an account; the password is read from the terminal, or from stdin when piped."""
    from dancecoach.accounts.service import open_accounts

    password = _read_password()
    try:
        user = open_accounts(get_settings()).add_user(name, password, role)
    except DancecoachError as error:
        fail(str(error))
    stdout.print(f"Added {user.role} {user.username}.")


@user_app.command("passwd")
def user_passwd(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Set a new password (terminal, or stdin when piped); the user's browser sign-ins end."""
    from dancecoach.accounts.service import open_accounts

    accounts = open_accounts(get_settings())
    try:
        accounts.user(name)  # before asking for a password
        ended = accounts.change_password(name, _read_password())
    except DancecoachError as error:
        fail(str(error))
    stdout.print(
        f"Changed the password of {name}; {ended} browser sign-ins ended. Their API tokens "
        f"still work: `dancecoach user tokens {name} --revoke all` ends them too.",
        highlight=False,
    )


def _delete_practice_data(user_id: str) -> int:
    """What "delete all my data" deletes, for one user: sessions with their frames, clips,
    reports, and Break-It-Down progress. Returns the sessions deleted."""
    from concurrent.futures import ThreadPoolExecutor

    from dancecoach.practice.assembly import build_services
    from dancecoach.storage.database import Database
    from dancecoach.storage.files import DataLayout
    from dancecoach.storage.objects import object_store

    settings = get_settings()
    db = Database.from_settings(settings)
    objects = object_store(settings, DataLayout(settings.data_dir))
    with ThreadPoolExecutor(1) as unused_preprocessing:
        services = build_services(settings, db, objects, unused_preprocessing)
        session_ids = services.sessions.ids_of(user_id)
        for session_id in session_ids:
            services.sessions.delete(session_id)
        services.music.forget_mastery(user_id)
    return len(session_ids)


@user_app.command("delete")
def user_delete(
    name: Annotated[str, typer.Argument(help="Username.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account and all its practice data (sessions, frames, clips, reports,
    progress); its sign-ins and API tokens stop working at once."""
    from dancecoach.accounts.service import open_accounts

    accounts = open_accounts(get_settings())
    try:
        accounts.user(name)
    except DancecoachError as error:
        fail(str(error))
    if not yes and not typer.confirm(f"Delete {name} and all their practice data?"):
        fail("Nothing deleted.")
    deleted: list[int] = []
    try:
        accounts.delete_user(name, lambda user: deleted.append(_delete_practice_data(user.id)))
    except DancecoachError as error:
        fail(str(error))
    stdout.print(f"Deleted {name} and {sum(deleted)} practice sessions.", highlight=False)


@user_app.command("tokens")
def user_tokens(
    name: Annotated[str, typer.Argument(help="Username.")],
    revoke: Annotated[
        str | None, typer.Option(help="Revoke the API token with this id, or `all` of them.")
    ] = None,
) -> None:
    """List a user's API tokens (id, label, created), or revoke one or all of them."""
    from dancecoach.accounts.service import open_accounts

    accounts = open_accounts(get_settings())
    try:
        if revoke == "all":
            revoked = accounts.revoke_api_tokens(name)
            stdout.print(f"Revoked {revoked} API tokens of {name}.", highlight=False)
            return
        if revoke is not None:
            accounts.revoke_api_token(name, revoke)
            stdout.print(f"Revoked API token {revoke} of {name}.", highlight=False)
            return
        tokens = accounts.api_tokens(name)
    except DancecoachError as error:
        fail(str(error))
    if not tokens:
        stdout.print(f"{name} has no API tokens.", highlight=False)
        return
    table = Table("id", "label", "created (UTC)")
    for token in tokens:
        table.add_row(token.id, token.label or "", f"{token.created_at:%Y-%m-%d %H:%M}")
    stdout.print(table)


@reference_app.command("add")
def reference_add(
    video: Annotated[Path, typer.Argument(help="Choreography video file.")],
    name: Annotated[str | None, typer.Option(help="Name shown in the library.")] = None,
) -> None:
    """Preprocess a reference video (poses cached by content) and add it to the library."""
    from dancecoach.library.command import add_reference
    from dancecoach.library.references import ReferenceService
    from dancecoach.runtime import Runtime

    settings = get_settings()
    with ExitStack() as opened:

        def references() -> ReferenceService:
            # The server's own wiring, opened only once the poses are extracted.
            runtime = Runtime(settings, demo_reference=False)
            opened.callback(lambda: asyncio.run(runtime.stop()))
            return runtime.references

        try:
            with stage_progress() as progress:
                summary = add_reference(video, name or video.stem, settings, references, progress)
        except DancecoachError as error:
            fail(str(error))
    stdout.print(summary)


def _print_summary(result_json: dict[str, object]) -> None:
    from dancecoach.pose.body_parts import part_words

    table = Table(title="Per body part", show_header=True)
    table.add_column("body part")
    table.add_column("score", justify="right")
    per_body_part = result_json["per_body_part"]
    assert isinstance(per_body_part, dict)
    for part, score in per_body_part.items():
        table.add_row(part_words(part), f"{score:.0f}")
    stdout.print(
        f"[bold]Overall score: {result_json['overall_score']:.0f}/100 ({result_json['grade']})[/]"
    )
    from dancecoach.scoring.timing import timing_word

    lag = float(str(result_json["lag_ms"]))
    word = timing_word(lag)
    timing = "on time" if word == "on time" else f"{abs(lag):.0f} ms {word}"
    alignment = result_json["alignment"]
    assert isinstance(alignment, dict)
    aligned = "the shared song" if alignment["source"] == "audio" else "the poses (no shared song)"
    stdout.print(
        f"Offset {result_json['offset_s']:+.2f} s (aligned by {aligned}), "
        f"mirrored: {result_json['mirrored']}, timing: {timing} on average"
    )
    counts = result_json["grade_counts"]
    assert isinstance(counts, dict)
    stdout.print("Moves: " + ", ".join(f"{n} {grade}" for grade, n in counts.items() if n))
    stdout.print(table)
    segments = result_json["problem_segments"]
    assert isinstance(segments, list)
    if segments:
        stdout.print("[bold]Problem segments[/] (reference time)")
    for segment in segments:
        span = f"{segment['start_time']:6.2f}-{segment['end_time']:6.2f} s"
        advice = "; ".join(e["message"] for e in segment["errors"])
        stdout.print(f"  {span}  score {segment['score']:.0f}  {segment['title']}: {advice}")
    feedback = result_json.get("feedback")
    if isinstance(feedback, list) and feedback:
        stdout.print("[bold]Coaching[/]")
        for item in feedback:
            stdout.print(f"  [{item['severity']}] {item['title']}: {item['feedback']}")


@app.command()
def compare(
    reference: Annotated[Path, typer.Argument(help="Reference choreography video.")],
    attempt: Annotated[Path, typer.Argument(help="Recorded practice video.")],
    mirror: Annotated[
        str, typer.Option(help="auto: detect a mirrored recording; on/off: force it.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Also write a standalone HTML report to this file.")
    ] = None,
) -> None:
    """Score a recorded practice video against a reference video."""
    from dancecoach.offline.command import run_compare

    if mirror not in ("auto", "on", "off"):
        fail(f"--mirror must be auto, on or off, not {mirror!r}")
    try:
        with stage_progress() as progress:
            result = run_compare(
                reference,
                attempt,
                get_settings(),
                mirror=mirror,
                html_report=report,
                progress=progress,
            )
    except DancecoachError as error:
        fail(str(error))
    if as_json:
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
    else:
        _print_summary(result)
        if report is not None:
            stdout.print(f"HTML report written to {report}")


if __name__ == "__main__":
    app()
