"""The "Step Functions messenger" flow (the AWS SDK for Python example's scenario) on the
embedded engine, written for sfn-tui.

A CloudFormation stack holds a DynamoDB table of messages, an SQS queue, IAM roles and
an inline Python Lambda function (``Code.ZipFile``) that scans the table for unsent
messages. A state machine calls the function, sends each message to the queue inside
a Map and marks it sent in DynamoDB, waits and loops. The test adds messages, starts the
machine, sees them arrive in SQS and marked sent, adds one more, stops the run and lists
the runs. On stock moto the function never runs (Docker) and no message arrives.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import boto_client, wait_until
from tests.lambda_functions import unique

SCAN_CODE = (
    "import boto3\n"
    "from boto3.dynamodb.conditions import Attr\n"
    "\n"
    "def handler(event, context):\n"
    "    table = boto3.resource('dynamodb').Table('{table}')\n"
    "    return table.scan(FilterExpression=Attr('sent').eq(False))['Items']\n"
)


def trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def messenger_template(suffix: str) -> dict[str, Any]:
    """Table, queue, roles and the scanning function, as one stack."""
    code_before, code_after = SCAN_CODE.split("{table}")
    return {
        "Resources": {
            "Messages": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": f"messages-{suffix}",
                    "KeySchema": [
                        {"AttributeName": "user_name", "KeyType": "HASH"},
                        {"AttributeName": "message_id", "KeyType": "RANGE"},
                    ],
                    "AttributeDefinitions": [
                        {"AttributeName": "user_name", "AttributeType": "S"},
                        {"AttributeName": "message_id", "AttributeType": "S"},
                    ],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            },
            "Outbox": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"outbox-{suffix}"}},
            "ScanRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": trust("lambda.amazonaws.com")},
            },
            "ScanFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["ScanRole", "Arn"]},
                    "Code": {
                        "ZipFile": {
                            "Fn::Join": ["", [code_before, {"Ref": "Messages"}, code_after]]
                        }
                    },
                },
            },
            "MachineRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": trust("states.amazonaws.com")},
            },
            "CDKMetadata": {
                "Type": "AWS::CDK::Metadata",
                "Properties": {"Modules": "sfn-tui-test"},
            },
        },
        "Outputs": {
            "TableName": {"Value": {"Ref": "Messages"}},
            "QueueUrl": {"Value": {"Ref": "Outbox"}},
            "FunctionArn": {"Value": {"Fn::GetAtt": ["ScanFunction", "Arn"]}},
            "MachineRoleArn": {"Value": {"Fn::GetAtt": ["MachineRole", "Arn"]}},
        },
    }


def messenger_definition(outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "StartAt": "Find unsent",
        "States": {
            "Find unsent": {
                "Type": "Task",
                "Resource": outputs["FunctionArn"],
                "ResultPath": "$.unsent",
                "Next": "Deliver each",
            },
            "Deliver each": {
                "Type": "Map",
                "ItemsPath": "$.unsent",
                "ResultPath": None,
                "Iterator": {
                    "StartAt": "Send",
                    "States": {
                        "Send": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sqs:sendMessage",
                            "Parameters": {
                                "QueueUrl": outputs["QueueUrl"],
                                "MessageBody.$": "$.message",
                                "MessageAttributes": {
                                    "user": {"DataType": "String", "StringValue.$": "$.user_name"},
                                    "message_id": {
                                        "DataType": "String",
                                        "StringValue.$": "$.message_id",
                                    },
                                },
                            },
                            "ResultPath": None,
                            "Next": "Mark sent",
                        },
                        "Mark sent": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::dynamodb:updateItem",
                            "Parameters": {
                                "TableName": outputs["TableName"],
                                "Key": {
                                    "user_name": {"S.$": "$.user_name"},
                                    "message_id": {"S.$": "$.message_id"},
                                },
                                "UpdateExpression": "SET sent = :s",
                                "ExpressionAttributeValues": {":s": {"BOOL": True}},
                            },
                            "End": True,
                        },
                    },
                },
                "Next": "Pause",
            },
            "Pause": {"Type": "Wait", "InputPath": None, "Seconds": 1, "Next": "Find unsent"},
        },
    }


def deploy(endpoint: str, suffix: str) -> tuple[str, dict[str, str]]:
    cloudformation = boto_client("cloudformation", endpoint)
    stack = f"messenger-{suffix}"
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(messenger_template(suffix)),
        Capabilities=["CAPABILITY_IAM"],
    )

    def complete() -> dict[str, Any] | None:
        described: dict[str, Any] = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        return described if described["StackStatus"] == "CREATE_COMPLETE" else None

    described = wait_until(complete, timeout=30, message="stack not created")
    return stack, {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}


def test_cdk_metadata_resource_is_listed_like_any_resource(engine: str) -> None:
    # AWS creates a CDK template's AWS::CDK::Metadata resource; moto skipped it (no type).
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceSummary.html
    stack, _ = deploy(engine, unique("cdk"))
    resources = boto_client("cloudformation", engine).list_stack_resources(StackName=stack)
    by_id = {r["LogicalResourceId"]: r for r in resources["StackResourceSummaries"]}

    assert by_id["CDKMetadata"]["ResourceType"] == "AWS::CDK::Metadata"
    assert by_id["CDKMetadata"]["PhysicalResourceId"]
    assert all(r["ResourceType"] for r in resources["StackResourceSummaries"])


def test_messages_flow_from_dynamodb_through_lambda_to_sqs(engine: str) -> None:
    _, outputs = deploy(engine, unique("m"))
    dynamodb = boto_client("dynamodb", engine)
    sqs = boto_client("sqs", engine)
    sfn = boto_client("stepfunctions", engine)
    table = outputs["TableName"]

    def put(user: str, message_id: str, text: str) -> None:
        dynamodb.put_item(
            TableName=table,
            Item={
                "user_name": {"S": user},
                "message_id": {"S": message_id},
                "message": {"S": text},
                "sent": {"BOOL": False},
            },
        )

    put("wills", "1", "Brevity is the soul of wit.")
    put("janea", "2", "A well-written letter.")
    put("lewisc", "3", "An hour to write, three minutes to read.")
    machine = sfn.create_state_machine(
        name=unique("message-pump"),
        definition=json.dumps(messenger_definition(outputs)),
        roleArn=outputs["MachineRoleArn"],
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=unique("pump"))["executionArn"]

    received: dict[str, tuple[str, str]] = {}

    def receive(expected: int) -> bool:
        answer = sqs.receive_message(
            QueueUrl=outputs["QueueUrl"],
            MessageAttributeNames=["All"],
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
        )
        for message in answer.get("Messages", []):
            attributes = message["MessageAttributes"]
            received[attributes["message_id"]["StringValue"]] = (
                attributes["user"]["StringValue"],
                message["Body"],
            )
            sqs.delete_message(QueueUrl=outputs["QueueUrl"], ReceiptHandle=message["ReceiptHandle"])
        return len(received) >= expected

    def all_sent() -> bool:
        items = dynamodb.scan(TableName=table)["Items"]
        return bool(items) and all(item["sent"] == {"BOOL": True} for item in items)

    wait_until(lambda: receive(3), timeout=60, message=f"messages received: {received}")
    assert received == {
        "1": ("wills", "Brevity is the soul of wit."),
        "2": ("janea", "A well-written letter."),
        "3": ("lewisc", "An hour to write, three minutes to read."),
    }
    wait_until(all_sent, timeout=30, message="messages not marked sent")

    put("wills", "4", "Action is eloquence.")
    wait_until(lambda: receive(4), timeout=60, message=f"messages received: {received}")
    assert received["4"] == ("wills", "Action is eloquence.")
    wait_until(all_sent, timeout=30, message="the new message is not marked sent")

    sfn.stop_execution(executionArn=run, cause="Done with the demo.")
    assert sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"] == []
    runs = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [(r["executionArn"], r["status"]) for r in runs] == [(run, "ABORTED")]
    assert sfn.describe_execution(executionArn=run)["cause"] == "Done with the demo."
    events = [e["type"] for e in sfn.get_execution_history(executionArn=run)["events"]]
    assert events.count("MapIterationSucceeded") == 4
    assert "LambdaFunctionSucceeded" in events
    assert events[-1] == "ExecutionAborted"
