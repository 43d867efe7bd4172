"""State machine versions and aliases: publishing, listing, deleting, routing, and runs
started on a version or an alias."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code, unique

API = "https://docs.aws.amazon.com/step-functions/latest/apireference/"
PUBLISH_API = API + "API_PublishStateMachineVersion.html"
LIST_VERSIONS_API = API + "API_ListStateMachineVersions.html"
DELETE_VERSION_API = API + "API_DeleteStateMachineVersion.html"
CREATE_ALIAS_API = API + "API_CreateStateMachineAlias.html"
UPDATE_ALIAS_API = API + "API_UpdateStateMachineAlias.html"
DESCRIBE_ALIAS_API = API + "API_DescribeStateMachineAlias.html"
DELETE_ALIAS_API = API + "API_DeleteStateMachineAlias.html"
LIST_ALIASES_API = API + "API_ListStateMachineAliases.html"
UPDATE_API = API + "API_UpdateStateMachine.html"
START_API = API + "API_StartExecution.html"
DESCRIBE_EXECUTION_API = API + "API_DescribeExecution.html"
LIST_EXECUTIONS_API = API + "API_ListExecutions.html"
FOR_EXECUTION_API = API + "API_DescribeStateMachineForExecution.html"
ROUTING_API = API + "API_RoutingConfigurationListItem.html"


def answer(value: str) -> dict[str, Any]:
    return {
        "StartAt": "Answer",
        "States": {"Answer": {"Type": "Pass", "Result": value, "End": True}},
    }


def two_versions(conf: Conformance) -> tuple[str, str, str]:
    """A machine with version 1 answering "v1" and version 2 answering "v2"."""
    machine = conf.machine(answer("v1"))
    v1 = conf.sfn.publish_state_machine_version(stateMachineArn=machine, description="first")
    conf.sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(answer("v2")))
    v2 = conf.sfn.publish_state_machine_version(stateMachineArn=machine, description="second")
    return machine, v1["stateMachineVersionArn"], v2["stateMachineVersionArn"]


def alias(conf: Conformance, v1: str, v2: str, w1: int = 80, name: str = "live") -> str:
    routing = [{"stateMachineVersionArn": v1, "weight": w1}]
    if w1 != 100:
        routing.append({"stateMachineVersionArn": v2, "weight": 100 - w1})
    return str(
        conf.sfn.create_state_machine_alias(name=name, routingConfiguration=routing)[
            "stateMachineAliasArn"
        ]
    )


def test_publish_lists_versions_newest_first(conf: Conformance) -> None:
    # PUBLISH_API: answers stateMachineVersionArn (machine ARN:version number) and
    # creationDate; idempotent for the current revision. LIST_VERSIONS_API: sorted in
    # descending order of creation. DescribeStateMachine on a version ARN describes it.
    machine, v1, v2 = two_versions(conf)
    assert (v1, v2) == (f"{machine}:1", f"{machine}:2")
    again = conf.sfn.publish_state_machine_version(stateMachineArn=machine)
    assert again["stateMachineVersionArn"] == v2
    listed = conf.sfn.list_state_machine_versions(stateMachineArn=machine)
    assert [v["stateMachineVersionArn"] for v in listed["stateMachineVersions"]] == [v2, v1]
    assert "creationDate" in listed["stateMachineVersions"][0]
    described = conf.sfn.describe_state_machine(stateMachineArn=v1)
    assert described["description"] == "first"
    assert json.loads(described["definition"]) == answer("v1")


def test_list_versions_pages(conf: Conformance) -> None:
    # LIST_VERSIONS_API: maxResults and nextToken page the versions.
    machine, v1, v2 = two_versions(conf)
    first = conf.sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=1)
    assert [v["stateMachineVersionArn"] for v in first["stateMachineVersions"]] == [v2]
    rest = conf.sfn.list_state_machine_versions(
        stateMachineArn=machine, maxResults=1, nextToken=first["nextToken"]
    )
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [v1]
    assert not rest.get("nextToken")


def test_publish_with_a_stale_revision_id_is_a_conflict(conf: Conformance) -> None:
    # PUBLISH_API: revisionId must match the current revision, else ConflictException;
    # INITIAL names the revision of a machine never updated.
    machine = conf.machine(answer("v1"))
    first = conf.sfn.publish_state_machine_version(stateMachineArn=machine, revisionId="INITIAL")
    assert first["stateMachineVersionArn"] == f"{machine}:1"
    conf.sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(answer("v2")))
    with pytest.raises(ClientError) as refused:
        conf.sfn.publish_state_machine_version(stateMachineArn=machine, revisionId="INITIAL")
    assert error_code(refused) == "ConflictException"


def test_update_with_publish_publishes(conf: Conformance) -> None:
    # UPDATE_API: publish=true publishes a version (stateMachineVersionArn in the answer)
    # with versionDescription.
    machine = conf.machine(answer("v1"))
    out = conf.sfn.update_state_machine(
        stateMachineArn=machine,
        definition=json.dumps(answer("v2")),
        publish=True,
        versionDescription="via update",
    )
    assert out["stateMachineVersionArn"] == f"{machine}:1"
    listed = conf.sfn.list_state_machine_versions(stateMachineArn=machine)
    assert [v["stateMachineVersionArn"] for v in listed["stateMachineVersions"]] == [
        out["stateMachineVersionArn"]
    ]
    described = conf.sfn.describe_state_machine(stateMachineArn=out["stateMachineVersionArn"])
    assert described["description"] == "via update"


def test_delete_version_refused_while_an_alias_routes_to_it(conf: Conformance) -> None:
    # DELETE_VERSION_API: a version referenced by an alias cannot be deleted
    # (ConflictException); once unreferenced it is deleted and no longer listed.
    machine, v1, v2 = two_versions(conf)
    alias_arn = alias(conf, v1, v2, w1=100)
    with pytest.raises(ClientError) as refused:
        conf.sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert error_code(refused) == "ConflictException"
    conf.sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    conf.sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    conf.sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    listed = conf.sfn.list_state_machine_versions(stateMachineArn=machine)
    assert listed["stateMachineVersions"] == []
    with pytest.raises(ClientError) as gone:
        conf.start(v1)
    assert error_code(gone) == "StateMachineDoesNotExist"


def test_alias_crud(conf: Conformance) -> None:
    # CREATE_ALIAS_API: answers stateMachineAliasArn (machine ARN:name). DESCRIBE_ALIAS_API:
    # name, routingConfiguration, description, dates. UPDATE_ALIAS_API: new routing.
    # LIST_ALIASES_API: newest first; a version ARN lists the aliases routing to it.
    # DELETE_ALIAS_API, DESCRIBE_ALIAS_API: a deleted alias is ResourceNotFound.
    machine, v1, v2 = two_versions(conf)
    live = alias(conf, v1, v2, w1=80)
    assert live == f"{machine}:live"
    described = conf.sfn.describe_state_machine_alias(stateMachineAliasArn=live)
    assert described["name"] == "live"
    assert sorted(
        (r["stateMachineVersionArn"], r["weight"]) for r in described["routingConfiguration"]
    ) == [
        (v1, 80),
        (v2, 20),
    ]
    beta = alias(conf, v2, v1, w1=100, name="beta")
    listed = conf.sfn.list_state_machine_aliases(stateMachineArn=machine)
    assert [a["stateMachineAliasArn"] for a in listed["stateMachineAliases"]] == [beta, live]
    on_v1 = conf.sfn.list_state_machine_aliases(stateMachineArn=v1)
    assert [a["stateMachineAliasArn"] for a in on_v1["stateMachineAliases"]] == [live]

    conf.sfn.update_state_machine_alias(
        stateMachineAliasArn=live,
        routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}],
        description="all on two",
    )
    updated = conf.sfn.describe_state_machine_alias(stateMachineAliasArn=live)
    assert updated["routingConfiguration"] == [{"stateMachineVersionArn": v2, "weight": 100}]
    assert updated["description"] == "all on two"

    conf.sfn.delete_state_machine_alias(stateMachineAliasArn=live)
    with pytest.raises(ClientError) as gone:
        conf.sfn.describe_state_machine_alias(stateMachineAliasArn=live)
    assert error_code(gone) == "ResourceNotFound"


@pytest.mark.parametrize(
    ("case", "routing"),
    [
        ("weights adding to 90", lambda v1, v2, v3: [(v1, 70), (v2, 20)]),
        ("three versions", lambda v1, v2, v3: [(v1, 50), (v2, 25), (v3, 25)]),
        ("one version twice", lambda v1, v2, v3: [(v1, 50), (v1, 50)]),
        ("another machine's version", lambda v1, v2, v3: [(v1, 50), (v3, 50)]),
    ],
)
def test_alias_routing_refused(conf: Conformance, case: str, routing: Any) -> None:
    # ROUTING_API / CREATE_ALIAS_API: one or two distinct versions of the same state
    # machine whose weights add up to 100; anything else is a ValidationException, on
    # create and on update (UPDATE_ALIAS_API).
    _, v1, v2 = two_versions(conf)
    _, _, v3 = two_versions(conf)
    items = [{"stateMachineVersionArn": arn, "weight": w} for arn, w in routing(v1, v2, v3)]
    with pytest.raises(ClientError) as refused:
        conf.sfn.create_state_machine_alias(name=unique("a"), routingConfiguration=items)
    assert error_code(refused) == "ValidationException", case
    live = alias(conf, v1, v2)
    with pytest.raises(ClientError) as refused_update:
        conf.sfn.update_state_machine_alias(stateMachineAliasArn=live, routingConfiguration=items)
    assert error_code(refused_update) == "ValidationException", case


def test_alias_to_a_missing_version_or_with_a_taken_name(conf: Conformance) -> None:
    # CREATE_ALIAS_API: a version that does not exist is ResourceNotFound; the same name
    # with another routing is ConflictException (the same routing again is idempotent).
    machine, v1, v2 = two_versions(conf)
    with pytest.raises(ClientError) as missing:
        conf.sfn.create_state_machine_alias(
            name="ghost",
            routingConfiguration=[{"stateMachineVersionArn": f"{machine}:9", "weight": 100}],
        )
    assert error_code(missing) == "ResourceNotFound"
    live = alias(conf, v1, v2, w1=100)
    assert alias(conf, v1, v2, w1=100) == live
    with pytest.raises(ClientError) as taken:
        alias(conf, v1, v2, w1=50)
    assert error_code(taken) == "ConflictException"


def test_start_on_a_version_runs_its_definition(conf: Conformance) -> None:
    # START_API: a version ARN starts that version. DESCRIBE_EXECUTION_API:
    # stateMachineVersionArn is set, stateMachineAliasArn is not. FOR_EXECUTION_API: the
    # definition the run used. LIST_EXECUTIONS_API: the machine lists every run, the
    # version ARN those started on it, with stateMachineVersionArn.
    machine, v1, _v2 = two_versions(conf)
    conf.sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(answer("v3")))
    run = conf.start(v1)
    ended = conf.finished(run)
    assert json.loads(ended["output"]) == "v1"
    assert ended["stateMachineVersionArn"] == v1
    assert "stateMachineAliasArn" not in ended
    used = conf.sfn.describe_state_machine_for_execution(executionArn=run)
    assert json.loads(used["definition"]) == answer("v1")
    plain = conf.start(machine)
    assert json.loads(conf.finished(plain)["output"]) == "v3"
    all_runs = conf.sfn.list_executions(stateMachineArn=machine)["executions"]
    assert {e["executionArn"] for e in all_runs} == {run, plain}
    on_v1 = conf.sfn.list_executions(stateMachineArn=v1)["executions"]
    assert [(e["executionArn"], e.get("stateMachineVersionArn")) for e in on_v1] == [(run, v1)]


def test_start_on_an_alias_routes_by_weight(conf: Conformance) -> None:
    # START_API: an alias ARN starts one of its versions, chosen by the routing weights
    # (ROUTING_API). DESCRIBE_EXECUTION_API / LIST_EXECUTIONS_API: the runs carry both
    # stateMachineAliasArn and the stateMachineVersionArn that ran.
    _machine, v1, v2 = two_versions(conf)
    live = alias(conf, v1, v2, w1=80)
    starts = 1000
    for i in range(starts):
        conf.sfn.start_execution(stateMachineArn=live, name=f"r{i}")
    runs: list[dict[str, Any]] = []
    token = None
    while True:
        page = conf.sfn.list_executions(
            stateMachineArn=live, maxResults=1000, **({"nextToken": token} if token else {})
        )
        runs.extend(page["executions"])
        token = page.get("nextToken")
        if not token:
            break
    assert len(runs) == starts
    assert {r["stateMachineAliasArn"] for r in runs} == {live}
    shares = Counter(r["stateMachineVersionArn"] for r in runs)
    assert abs(shares[v1] / starts - 0.80) < 0.05, shares
    assert abs(shares[v2] / starts - 0.20) < 0.05, shares
    one = conf.finished(runs[0]["executionArn"])
    assert one["stateMachineAliasArn"] == live
    assert json.loads(one["output"]) == ("v1" if one["stateMachineVersionArn"] == v1 else "v2")
