"""The `sfn-tui` command: the dashboard (AWS, an endpoint, or --local) and `local-server`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from sfn_tui import __version__

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


def run_local_server(port: int, seed: bool) -> int:
    from sfn_tui.local.engine import LocalEngine
    from sfn_tui.local.seed import seed_demo

    print("Starting the local Step Functions engine…", flush=True)
    engine = LocalEngine(port=port)
    try:
        endpoint = engine.start()
    except OSError as exc:
        print(f"sfn-tui: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        if seed:
            seed_demo(endpoint)
        print(
            f"Local Step Functions engine listening on {endpoint}\n"
            f"  sfn-tui --endpoint-url {endpoint}\n"
            f"  aws --endpoint-url {endpoint} --region us-east-1 stepfunctions list-state-machines\n"
            f"  AWS_ENDPOINT_URL={endpoint} python your_script.py\n"
            "(any access key works; region us-east-1)  Press Ctrl-C to stop.",
            flush=True,
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        engine.stop()
    print("Stopped.", flush=True)
    return 0


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
    from sfn_tui.config import ConfigProblem, load_settings

    try:
        settings = load_settings()
    except ConfigProblem as problem:
        print(f"sfn-tui: {problem}", file=sys.stderr)
        return 2
    poll_interval = args.poll_interval or settings.poll_interval or 2.0
    read_only = args.read_only or settings.read_only
    if poll_interval < 0.5:
        print("sfn-tui: the poll interval must be at least 0.5 seconds.", file=sys.stderr)
        return 2

    from sfn_tui.aws.connection import ConnectionProblem, local_connection, resolve

    if args.local:
        if args.endpoint_url or args.profile:
            print(
                "sfn-tui: --local cannot be combined with --endpoint-url or --profile.",
                file=sys.stderr,
            )
            return 2
        connection = local_connection()
    else:
        try:
            connection = resolve(
                profile=args.profile or os.environ.get("AWS_PROFILE"),
                region=args.region,
                endpoint_url=args.endpoint_url,
            )
        except ConnectionProblem as problem:
            print(f"sfn-tui: {problem}", file=sys.stderr)
            return 1

    if args.log_file and not connection.dummy_credentials:
        remember_credentials(connection.profile)
    from sfn_tui.tui.app import SfnTuiApp

    app = SfnTuiApp(connection, poll_interval=poll_interval, read_only=read_only)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
