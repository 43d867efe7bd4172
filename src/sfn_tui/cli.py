"""The `sfn-tui` command: the dashboard (AWS, an endpoint, or --local) and `local-server`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sfn_tui import __version__
from sfn_tui.core import launch_gc

if TYPE_CHECKING:
    from sfn_tui.aws.connection import Connection
    from sfn_tui.aws.early_listing import EarlyListing
    from sfn_tui.local.engine import LocalEngine
    from sfn_tui.local.engine_child import EngineChild

DESCRIPTION = "A keyboard-driven terminal dashboard for AWS Step Functions."
EPILOG = """\
examples:
  sfn-tui --local                      the embedded engine, pre-loaded with the ChatSFN demo
  sfn-tui --profile prod --region eu-west-1
  sfn-tui --endpoint-url http://127.0.0.1:4566
  sfn-tui local-server --port 8083     only the engine, for other clients

Credentials and region come from the standard AWS chain (AWS_PROFILE, AWS_REGION,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SFN, ~/.aws/config).
Settings file (optional): $SFN_TUI_CONFIG or ~/.config/sfn-tui/config.toml, with
  read_only = true   and/or   poll_interval = 5
Log: none unless --log-file PATH is given (then PATH, at --log-level, default INFO);
task tokens, credentials and session tokens are redacted from it.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sfn-tui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sfn-tui {__version__}")
    where = parser.add_argument_group("where to connect")
    where.add_argument(
        "--local",
        action="store_true",
        help="run the embedded Step Functions engine (no AWS account)",
    )
    where.add_argument("--profile", help="AWS profile name (default: AWS_PROFILE or default)")
    where.add_argument(
        "--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)"
    )
    where.add_argument("--endpoint-url", help="Step Functions endpoint, e.g. a local-server")
    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between refreshes of the selected machine's executions (default: 2)",
    )
    behaviour.add_argument(
        "--read-only", action="store_true", help="never change anything (hide mutating actions)"
    )
    behaviour.add_argument(
        "--work",
        action="append",
        default=[],
        metavar="ACTIVITY",
        help="claim this activity's tasks for the chat pane from the start (its name;"
        " repeatable; as pressing w on it)",
    )
    behaviour.add_argument("--log-file", metavar="PATH", help="write a log here (default: no log)")
    behaviour.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    server = sub.add_parser(
        "local-server",
        help="run only the embedded engine in the foreground and print its endpoint",
        description="Run the embedded Step Functions engine (seeded with the ChatSFN demo) "
        "on 127.0.0.1 until Ctrl-C.",
    )
    server.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free one)"
    )
    server.add_argument("--no-seed", action="store_true", help="start empty, without the demo")
    return parser


def configure_logging(path: str | None, level: str) -> None:
    """Nothing goes to the terminal: a file if asked, otherwise nowhere."""
    root = logging.getLogger()
    root.handlers.clear()
    if path:
        from sfn_tui.core.redact import RedactingFormatter

        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        # Every line is redacted too (task tokens, keys, session tokens, signatures).
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.setLevel(level)
    else:
        handler = logging.NullHandler()
    root.addHandler(handler)
    # botocore at DEBUG logs request bodies (task tokens) and headers (session tokens).
    for name in ("botocore", "aiobotocore", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)


def remember_credentials(profile: str | None) -> None:
    """Have the log redact the resolved secret key and session token verbatim."""
    import botocore.session

    from sfn_tui.core.redact import remember_secret

    try:
        credentials = botocore.session.Session(profile=profile).get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except Exception:  # resolving failed: nothing to remember, the patterns remain
        return
    if frozen is not None:
        remember_secret(frozen.secret_key)
        remember_secret(frozen.token)


STOP_SECONDS = 10.0
"""How long `local-server` waits for the engine to stop before it exits anyway."""


class _StartupInterrupted(BaseException):
    """Ctrl-C or SIGTERM while the engine starts or is seeded: abandon start-up."""


class _StopSignals:
    """Ctrl-C (SIGINT) and SIGTERM for `local-server`, whatever disposition it inherited.

    A shell without job control (a script, ``cmd &``, some CI runners) starts commands
    with SIGINT ignored, and Python then raises no KeyboardInterrupt: Ctrl-C and
    ``kill -INT`` did nothing at all. The handlers here are installed unconditionally.
    The first signal asks for a graceful stop (start-up is abandoned at once); a second
    one exits at once, whatever the engine is doing.

    The handler takes no lock (no ``Event.set()``): it runs in the main thread between
    two bytecodes, possibly while that thread holds the very lock it would need.
    """

    def __init__(self) -> None:
        self.requested = False
        self.starting = True  # a signal now raises _StartupInterrupted

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: object) -> None:
        if self.requested:
            # os.write, not print: the main thread may be inside a print to this stream.
            os.write(2, b"sfn-tui: stopped at once (second signal).\n")
            os._exit(128 + signum)
        self.requested = True
        if self.starting:
            self.starting = False
            raise _StartupInterrupted

    def wait(self) -> None:
        """Until the first signal. Short sleeps: a signal delivered to another thread
        is only handled when the main thread next runs."""
        while not self.requested:
            time.sleep(0.25)


def run_local_server(port: int, seed: bool) -> int:
    signals = _StopSignals()
    signals.install()
    engine: LocalEngine | None = None
    try:
        print("Starting the local Step Functions engine…", flush=True)
        from sfn_tui.local.engine import LocalEngine
        from sfn_tui.local.seed import seed_demo

        engine = LocalEngine(port=port)
        try:
            endpoint = engine.start()
        except OSError as exc:
            signals.starting = False
            print(
                f"sfn-tui: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 1
        if seed:
            seed_demo(endpoint)
        signals.starting = False  # from here on a signal only sets `requested`
        print(
            f"Local Step Functions engine listening on {endpoint}\n"
            f"  sfn-tui --endpoint-url {endpoint}\n"
            "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing  (any keys do)\n"
            f"  aws --endpoint-url {endpoint} --region us-east-1 stepfunctions list-state-machines\n"
            f"  AWS_ENDPOINT_URL={endpoint} AWS_DEFAULT_REGION=us-east-1 python your_script.py\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        signals.wait()
    except _StartupInterrupted:
        pass
    print("Stopping… (Ctrl-C again to exit at once)", flush=True)
    if engine is not None and not _stop_within(engine, STOP_SECONDS):
        return 1
    print("Stopped.", flush=True)
    return 0


def _stop_within(engine: LocalEngine, seconds: float) -> bool:
    """Stop the engine in a helper thread; give up (and exit) after `seconds`.

    The main thread keeps waiting in short slices so that a second Ctrl-C is handled.
    """
    done = threading.Event()
    failures: list[BaseException] = []

    def stop() -> None:
        try:
            engine.stop()
        except BaseException as exc:  # reported below, in one line
            failures.append(exc)
        finally:
            done.set()

    threading.Thread(target=stop, name="sfn-tui-stop", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.wait(min(0.2, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            print(
                f"sfn-tui: the engine did not stop within {seconds:g} s; exiting anyway.",
                file=sys.stderr,
                flush=True,
            )
            sys.stdout.flush()
            os._exit(1)  # threads still inside moto may hold locks exit needs
    if failures:
        print(f"sfn-tui: stopping the engine failed: {failures[0]!r}", file=sys.stderr)
        return False
    return True


def forget_aws_profile() -> None:
    """The embedded engine needs no AWS configuration, and moto fails to import when
    AWS_PROFILE names a profile that does not exist: drop it in local modes."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_file, args.log_level)
    if args.command == "local-server" or args.local:
        forget_aws_profile()
    if args.command == "local-server":
        return run_local_server(args.port, seed=not args.no_seed)
    # Until the first frame is up (the app resumes it; see core/launch_gc.py).
    launch_gc.pause()
    from sfn_tui.config import ConfigProblem, load_settings

    try:
        settings = load_settings()
    except ConfigProblem as problem:
        print(f"sfn-tui: {problem}", file=sys.stderr)
        return 2
    if settings.keys:  # the keymap, checked against the app's bindings before starting
        from sfn_tui.config import config_path
        from sfn_tui.tui.keymap import problems

        wrong = problems(settings.keys)
        if wrong:
            for sentence in wrong:
                print(f"sfn-tui: {config_path()} [keys]: {sentence}", file=sys.stderr)
            return 2
    poll_interval = args.poll_interval or settings.poll_interval or 2.0
    read_only = args.read_only or settings.read_only
    if poll_interval < 0.5:
        print("sfn-tui: the poll interval must be at least 0.5 seconds.", file=sys.stderr)
        return 2

    from sfn_tui.aws.connection import ConnectionProblem, local_connection, resolve

    early: EarlyListing | None = None
    engine: EngineChild | None = None
    if args.local:
        if args.endpoint_url or args.profile:
            print(
                "sfn-tui: --local cannot be combined with --endpoint-url or --profile.",
                file=sys.stderr,
            )
            return 2
        connection = local_connection()
        # The engine starts in a child on the other core while Textual is imported
        # here (see local/engine_child.py): forked before any thread or Textual.
        from sfn_tui.local.engine_child import EngineChild

        engine = EngineChild.fork(connection.region)
    else:
        where = {
            "profile": args.profile or os.environ.get("AWS_PROFILE"),
            "region": args.region,
            "endpoint_url": args.endpoint_url,
        }
        # A child process resolves the connection and makes the first listing on the
        # other core while Textual is imported here (see aws/early_listing.py).
        from sfn_tui.aws.early_listing import EarlyListing

        early = EarlyListing.launch(**where)
        import sfn_tui.tui.app  # noqa: F401  (the import the child's work overlaps)

        try:
            found = early.connection() if early is not None else None
            connection = found or resolve(**where)
        except ConnectionProblem as problem:
            print(f"sfn-tui: {problem}", file=sys.stderr)
            return 1
    try:
        return run_dashboard(
            args, connection, settings.keys, poll_interval, read_only, early, engine
        )
    finally:
        if early is not None:
            early.close()  # if the app did not take it (or quit before it came)
        if engine is not None:
            engine.stop()  # if the app did not stop it (it quit before taking it)


def run_dashboard(
    args: argparse.Namespace,
    connection: Connection,
    keymap: dict[str, str],
    poll_interval: float,
    read_only: bool,
    early: EarlyListing | None,
    engine: EngineChild | None = None,
) -> int:
    if read_only and args.work:
        print("sfn-tui: --work claims tasks, which --read-only forbids.", file=sys.stderr)
        return 2
    if args.log_file and not connection.dummy_credentials:
        remember_credentials(connection.profile)
    from sfn_tui.tui.app import LOCAL_WORKED_ACTIVITIES, SfnTuiApp

    worked = frozenset(args.work) | (LOCAL_WORKED_ACTIVITIES if args.local else frozenset())
    app = SfnTuiApp(
        connection,
        poll_interval=poll_interval,
        read_only=read_only,
        worked_activities=worked,
        keymap=keymap,
        early_listing=early,
        engine_child=engine,
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
