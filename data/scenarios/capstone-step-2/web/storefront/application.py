"""Storefront WSGI entry point (Elastic Beanstalk: WSGIPath application:application)."""

import json
import os


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/health":
        body, status = {"ok": True}, "200 OK"
    else:
        body = {
            "shop": "storefront",
            "env": os.environ.get("APP_ENV", "dev"),
            "orders": os.environ.get("ORDERS_API_PATH", "/orders"),
        }
        status = "200 OK"
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
