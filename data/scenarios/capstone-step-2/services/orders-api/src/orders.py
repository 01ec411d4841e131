"""Handlers of the shop orders API (deployed by template.yaml, CodeUri: src/)."""

import json
import os
import uuid
from functools import lru_cache

import boto3


@lru_cache(maxsize=None)
def _table():
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@lru_cache(maxsize=None)
def _sns():
    return boto3.client("sns")


def _response(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def create_order(event, context):
    order = json.loads(event.get("body") or "{}")
    order_id = str(uuid.uuid4())
    _table().put_item(Item={"pk": f"ORDER#{order_id}", "sk": "META", **order})
    _sns().publish(
        TopicArn=os.environ["TOPIC_ARN"],
        Message=json.dumps({"orderId": order_id}),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderPlaced"}},
    )
    return _response(201, {"orderId": order_id})


def get_order(event, context):
    order_id = event["pathParameters"]["orderId"]
    item = _table().get_item(Key={"pk": f"ORDER#{order_id}", "sk": "META"}).get("Item")
    return _response(200, item) if item else _response(404, {"message": "not found"})


def process_order_events(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            order_id = json.loads(record["body"])["orderId"]
            _table().update_item(
                Key={"pk": f"ORDER#{order_id}", "sk": "META"},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": "PROCESSED"},
            )
        except Exception:  # report the message back to SQS, keep the rest of the batch
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
