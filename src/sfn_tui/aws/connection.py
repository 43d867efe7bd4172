"""Where the app connects: settings from the command line and environment, checked
before the UI starts so a missing region or credential is one clear sentence."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

LOCAL_REGION = "us-east-1"
# Dummy credentials for loopback endpoints (the embedded engine ignores them).
LOCAL_ACCESS_KEY = "testing"
LOCAL_SECRET_KEY = "testing"


class ConnectionProblem(Exception):
    """The app cannot connect as configured; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Connection:
    """Everything needed to open clients. Secrets are not kept here: botocore's
    credential chain resolves them, except for loopback endpoints (dummy keys)."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    local_engine: bool = False
    dummy_credentials: bool = False
    display_name: str | None = None  # shown instead of the endpoint (screenshots, tests)

    @property
    def label(self) -> str:
        """A short human description for the header."""
        if self.display_name:
            where = self.display_name
        elif self.local_engine:
            where = f"local engine {self.endpoint_url or '(starting)'}"
        elif self.endpoint_url:
            where = f"endpoint {self.endpoint_url}"
        else:
            where = f"AWS profile {self.profile}" if self.profile else "AWS"
        return f"{where} · {self.region}"

    def with_endpoint(self, endpoint_url: str) -> Connection:
        return replace(self, endpoint_url=endpoint_url)


def is_loopback(url: str | None) -> bool:
    if not url:
        return False
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_connection() -> Connection:
    return Connection(region=LOCAL_REGION, local_engine=True, dummy_credentials=True)


def resolve(*, profile: str | None, region: str | None, endpoint_url: str | None) -> Connection:
    """Resolve region and credentials the way the AWS CLI does, or raise ConnectionProblem.

    A loopback endpoint (such as `sfn-tui local-server`) needs no real credentials:
    dummy ones are used when the chain finds none, and the region defaults to us-east-1.
    """
    return resolve_with_credentials(profile=profile, region=region, endpoint_url=endpoint_url)[0]


def resolve_with_credentials(
    *, profile: str | None, region: str | None, endpoint_url: str | None
) -> tuple[Connection, Any, Any]:
    """`resolve`, with the botocore session and the credentials it found (None: none)
    for the launch's early listing (aws/early_listing.py), which signs with them."""
    import botocore.exceptions
    import botocore.session

    endpoint_url = (
        endpoint_url or os.environ.get("AWS_ENDPOINT_URL_SFN") or os.environ.get("AWS_ENDPOINT_URL")
    )
    try:
        session = botocore.session.Session(profile=profile)
        # botocore reads AWS_DEFAULT_REGION and the profile, not AWS_REGION (the SDK-wide name).
        found_region = (
            region or os.environ.get("AWS_REGION") or session.get_config_variable("region")
        )
    except botocore.exceptions.ProfileNotFound:
        raise ConnectionProblem(
            f"The AWS profile '{profile}' is not configured (see `aws configure list-profiles`);"
            " or run `sfn-tui --local` to use the embedded engine."
        ) from None
    loopback = is_loopback(endpoint_url)
    if not found_region:
        if not loopback:
            raise ConnectionProblem(
                "No AWS region is set: pass --region, set AWS_REGION, or add a region to"
                " your profile; or run `sfn-tui --local` to use the embedded engine."
            )
        found_region = LOCAL_REGION
    try:
        credentials = session.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise ConnectionProblem(
            f"AWS credentials could not be loaded ({exc}); renew them (e.g. `aws sso login`)"
            " or run `sfn-tui --local` to use the embedded engine."
        ) from None
    dummy = False
    if credentials is None:
        if not loopback:
            raise ConnectionProblem(
                "No AWS credentials found: configure them (`aws configure`, AWS_PROFILE or"
                " --profile), or run `sfn-tui --local` to use the embedded engine."
            )
        dummy = True
    connection = Connection(
        region=found_region,
        profile=profile,
        endpoint_url=endpoint_url,
        dummy_credentials=dummy,
    )
    return connection, session, credentials
