"""CloudFormation on moto 5.2.5 creates ``AWS::CDK::Metadata`` resources.

Templates synthesized by the AWS CDK carry a ``CDKMetadata`` resource of type
``AWS::CDK::Metadata`` (the AWS SDK example "Step Functions messenger" has one). AWS
creates it like any resource: it is listed with its type, logical and physical id in
ListStackResources and DescribeStackResources. moto does not know the type: it warns on
stderr ("Tried to parse AWS::CDK::Metadata but it's not supported") and lists a
resource with no type and no id. ``install()`` registers a model for it that holds
nothing but its properties.
"""

from __future__ import annotations

import threading
import uuid
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Register the model (idempotent). Raises RuntimeError on any moto but 5.2.5."""
    global _installed
    patches.check_moto()
    with _install_lock:
        if _installed:
            return
        parsing = import_module("moto.cloudformation.parsing")
        base = import_module("moto.core.common_models").CloudFormationModel

        class CDKMetadata(base):  # type: ignore[misc, valid-type]
            def __init__(self, properties: dict[str, Any]) -> None:
                self.properties = properties
                self.id = str(uuid.uuid4())

            @property
            def physical_resource_id(self) -> str:
                return self.id

            @staticmethod
            def cloudformation_name_type() -> str:
                return ""

            @staticmethod
            def cloudformation_type() -> str:
                return "AWS::CDK::Metadata"

            @classmethod
            def has_cfn_attr(cls, attr: str) -> bool:
                return False

            @classmethod
            def create_from_cloudformation_json(
                cls,
                resource_name: str,
                cloudformation_json: dict[str, Any],
                account_id: str,
                region_name: str,
                **kwargs: Any,
            ) -> CDKMetadata:
                return cls(dict(cloudformation_json.get("Properties") or {}))

            @classmethod
            def update_from_cloudformation_json(
                cls,
                original_resource: Any,
                new_resource_name: str,
                cloudformation_json: dict[str, Any],
                account_id: str,
                region_name: str,
            ) -> Any:
                original_resource.properties = dict(cloudformation_json.get("Properties") or {})
                return original_resource

            @classmethod
            def delete_from_cloudformation_json(
                cls,
                resource_name: str,
                cloudformation_json: dict[str, Any],
                account_id: str,
                region_name: str,
            ) -> None:
                return None

            def is_created(self) -> bool:
                return True

        # moto caches the list of CloudFormationModel subclasses: rebuild it.
        for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
            cached.cache_clear()
        _installed = True
