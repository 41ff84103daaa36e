"""python -m app: serve, venue, db upgrade, facilitator add/remove/reset-password/list,
purge, reapply-erasures, export, unseal."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app import VERSION
from app.config import get_settings

if TYPE_CHECKING:
    from app.db import Database

PRIVATE_UMASK = 0o077


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command; the exit code says how it went."""
    parser = argparse.ArgumentParser(prog="python -m app", description="Lantern")
    parser.add_argument("--version", action="version", version=f"Lantern {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="processes (needs LANTERN_REDIS_URL)")

    venue = sub.add_parser(
        "venue", help="run a review on this laptop, phones joining over its hotspot"
    )
    venue.add_argument("--host", default="0.0.0.0", help="where to listen (default: everywhere)")
    venue.add_argument("--port", type=int, default=8000)
    venue.add_argument(
        "--address", help="the address phones reach this laptop at (default: found, or asked)"
    )

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")

    purge = sub.add_parser("purge", help="delete reviews past their retention period")
    purge.add_argument("--dry-run", action="store_true", help="list them, delete nothing")

    again = sub.add_parser(
        "reapply-erasures",
        help="after restoring a backup, erase again what was erased after it was taken",
    )
    again.add_argument(
        "--journal",
        action="append",
        help="an erasure journal (repeat for each host's; default: this host's)",
    )
    again.add_argument("--dry-run", action="store_true", help="say what would be done, do nothing")

    exp = sub.add_parser("export", help="write a review's session record to a file")
    exp.add_argument("review_id", type=int)
    exp.add_argument(
        "--format", required=True, choices=("md", "html", "pdf", "docx", "json", "csv", "xlsx")
    )
    exp.add_argument("--edition", default="full", choices=("full", "public"))
    exp.add_argument("-o", "--output", help="the file to write (- for standard output)")

    unseal = sub.add_parser(
        "unseal", help="open a record saved for the partnership (PDF, Word, restore file)"
    )
    unseal.add_argument("file")
    unseal.add_argument("-o", "--output", required=True, help="the folder to write them into")
    unseal.add_argument("--passphrase-stdin", action="store_true")

    fac = sub.add_parser("facilitator", help="facilitator accounts")
    fac_sub = fac.add_subparsers(dest="fac_command", required=True)
    add = fac_sub.add_parser("add", help="add a facilitator")
    add.add_argument("email")
    add.add_argument("--password-stdin", action="store_true", required=True)
    remove = fac_sub.add_parser(
        "remove", help="delete a facilitator account (refused while it owns a review)"
    )
    remove.add_argument("email")
    reset = fac_sub.add_parser(
        "reset-password", help="give an account a new password and end its sign-ins"
    )
    reset.add_argument("email")
    reset.add_argument("--password-stdin", action="store_true", required=True)
    fac_sub.add_parser("list", help="list the facilitator accounts")

    args = parser.parse_args(argv)
    # Everything Lantern writes (database, its log files, the secret key, exports) is for
    # this user alone, whatever umask the shell or service manager left.
    os.umask(PRIVATE_UMASK)
    if args.command == "venue":
        from app import venue as venue_mode

        return venue_mode.run(
            args.host,
            args.port,
            args.address,
            add_facilitator=_add_facilitator,
            min_length=MIN_PASSWORD,
        )
    settings = get_settings()
    if args.command == "db":
        from app.migrate import upgrade

        upgrade(settings.effective_database_url)
        print("Database is at the latest schema.")
        return 0
    if args.command == "purge":
        return _purge(dry_run=args.dry_run)
    if args.command == "reapply-erasures":
        return _reapply_erasures(args.journal, dry_run=args.dry_run)
    if args.command == "export":
        from app.export.cli import export_command

        return export_command(args.review_id, args.format, args.edition, args.output)
    if args.command == "unseal":
        return _unseal(args.file, args.output, from_stdin=args.passphrase_stdin)
    if args.command == "facilitator" and args.fac_command == "remove":
        return _remove_facilitator(args.email)
    if args.command == "facilitator" and args.fac_command == "reset-password":
        return _reset_password(args.email, sys.stdin.read())
    if args.command == "facilitator" and args.fac_command == "list":
        return _list_facilitators()
    if args.command == "facilitator":
        return _add_facilitator(args.email, sys.stdin.read())
    return _serve(args.host, args.port, args.workers)


@contextmanager
def _database() -> Iterator[Database]:
    """The configured database, brought to the latest schema, closed after use."""
    from app.db import Database
    from app.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()


MIN_PASSWORD = 10


def _password(raw: str) -> str | None:
    """The password read from standard input, or None (said why) when it is too short."""
    password = raw.rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        print(f"The password must be at least {MIN_PASSWORD} characters.", file=sys.stderr)
        return None
    return password


def _add_facilitator(email: str, raw_password: str) -> int:
    from sqlalchemy.exc import IntegrityError

    from app.security import add_facilitator

    password = _password(raw_password)
    if password is None:
        return 2
    if "@" not in email or len(email) > 254:
        print("That does not look like an email address.", file=sys.stderr)
        return 2
    try:
        with _database() as database:
            with database.write() as session:
                add_facilitator(session, email, password)
    except IntegrityError:
        print(f"A facilitator with the email {email} already exists.", file=sys.stderr)
        return 1
    print(f"Added facilitator {email.lower()}.")
    return 0


def _unseal(file: str, output: str, *, from_stdin: bool) -> int:
    import getpass
    from pathlib import Path

    from app.export.sealed import SealError, unseal

    if from_stdin:
        passphrase = sys.stdin.readline().rstrip("\r\n")
    else:
        passphrase = getpass.getpass("The passphrase chosen when it was saved: ")
    try:
        files = unseal(Path(file).read_bytes(), passphrase)
    except (OSError, SealError) as exc:
        print(exc, file=sys.stderr)
        return 1
    folder = Path(output)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / Path(name).name).write_bytes(content)  # 0600 under Lantern's umask
        print(f"Wrote {folder / Path(name).name}")
    return 0


def _remove_facilitator(email: str) -> int:
    from app.review.errors import CommandError
    from app.review.team import remove_account

    try:
        with _database() as database:
            with database.write() as session:
                _, reviews = remove_account(session, email)
    except CommandError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    left = f" They left the team of reviews {', '.join(map(str, reviews))}." if reviews else ""
    print(
        f"Removed facilitator {email.strip().lower()}: their sign-ins end now, and a running "
        f"server closes their open consoles within 30 seconds.{left}"
    )
    return 0


def _reset_password(email: str, raw_password: str) -> int:
    from app.review.errors import CommandError
    from app.review.team import reset_password
    from app.security import hash_password

    password = _password(raw_password)
    if password is None:
        return 2
    try:
        with _database() as database:
            with database.write() as session:
                reset_password(session, email, hash_password(password))
    except CommandError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(
        f"New password set for {email.strip().lower()}. Their sign-ins end now: a running "
        "server closes their open consoles within 30 seconds, and they sign in again."
    )
    return 0


def _list_facilitators() -> int:
    from app.review.team import accounts

    with _database() as database:
        with database.read() as session:
            found = accounts(session)
    if not found:
        print("No facilitator accounts yet: add one with `python -m app facilitator add`.")
        return 0
    rows = [("email", "created", "owns", "on teams", "last sign-in")] + [
        (a.email, a.created_at, str(a.owns), str(a.on_teams), a.last_sign_in or "never")
        for a in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def _reapply_erasures(journals: list[str] | None, *, dry_run: bool) -> int:
    from pathlib import Path

    from app.privacy.journal import read, reapply

    settings = get_settings()
    paths = [Path(j) for j in journals] if journals else [settings.journal_path]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"No erasure journal at {', '.join(missing)}.", file=sys.stderr)
        return 1
    with _database() as database:
        entries = read(paths)
        done = reapply(database, entries, dry_run=dry_run)
    verb = "Would erase" if dry_run else "Erased"
    print(
        f"{len(entries)} journal entries. {verb} {len(done.participants)} participants again "
        f"and {'would delete' if dry_run else 'deleted'} {len(done.reviews)} reviews again; "
        f"{done.already} were already gone."
    )
    for review_id, participant_id in done.participants:
        print(f"  participant {participant_id} of review {review_id}")
    for review_id in done.reviews:
        print(f"  review {review_id}")
    return 0


def _purge(*, dry_run: bool) -> int:
    from app.privacy.retention import expired_review_ids, purge_expired

    with _database() as database:
        if dry_run:
            with database.read() as session:
                ids = expired_review_ids(session)
            print(f"{len(ids)} reviews are past their retention period: {ids}")
            return 0
        ids = purge_expired(database)
    print(f"Purged {len(ids)} reviews: {ids}" if ids else "No review is past its retention period.")
    return 0


def _serve(host: str, port: int, workers: int) -> int:
    import uvicorn

    from app import logs
    from app.migrate import upgrade

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        print("--workers above 1 needs LANTERN_REDIS_URL (and PostgreSQL).", file=sys.stderr)
        return 2
    if workers > 1 and settings.effective_database_url.startswith("sqlite"):
        print(
            "--workers above 1 needs PostgreSQL (LANTERN_DATABASE_URL): the SQLite file "
            "serves one process. Run one worker, or see docs/deploy.md.",
            file=sys.stderr,
        )
        return 2
    if settings.redis_url:
        from app.dependencies import DependencyError, check_redis_at_start

        try:
            check_redis_at_start(settings.redis_url)
        except DependencyError as exc:
            print(exc, file=sys.stderr)
            return 2
    upgrade(settings.effective_database_url)
    settings.effective_secret_key  # noqa: B018 - made once here, before workers race to make it
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        ws_max_size=64 * 1024,
        ws_per_message_deflate=False,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_config=logs.config(settings.log_level, settings.log_format),
        access_log=False,  # Lantern's own access log names routes, never URLs (app.logs)
        # uvloop and httptools where installed. The sans-I/O websockets protocol writes
        # each frame straight to the transport, as websockets' broadcast() does; the older
        # one adds a drain and a lock to every frame (bench/ measures the difference).
        loop="uvloop" if _installed("uvloop") else "asyncio",
        http="httptools" if _installed("httptools") else "h11",
        ws="websockets-sansio",
    )
    return 0


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":
    raise SystemExit(main())
