"""moto imported faster: one boto3 Session where its EC2 models make three.

The engine imports moto's Step Functions interpreter, whose AWS Batch integration
imports moto's EC2 models, whose module body lists the regions of three partitions with
`boto3.Session().get_available_regions(...)`: a new Session each time (each loads
botocore's data afresh), about a quarter of the engine's start. While moto is imported
here, `boto3.Session()` with no arguments returns one shared Session; it answers those
calls with the same regions (`tests/test_moto_import.py`). Anything that asks for a
Session with arguments gets a new one as before, and `boto3.Session` is itself again
afterwards (moto's module keeps the shared one for its name, used only at import).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def one_boto3_session() -> Iterator[None]:
    import boto3

    real = boto3.Session
    shared = real()

    def session(*args: Any, **kwargs: Any) -> Any:
        return shared if not args and not kwargs else real(*args, **kwargs)

    boto3.Session = session
    try:
        yield
    finally:
        boto3.Session = real
