import json
import logging

import azure.functions as func

from shared_code.orders import parse_order


def main(request: func.HttpRequest, orders: func.Out[str]) -> func.HttpResponse:
    order = parse_order(request.get_body())
    logging.info("Queueing order %s", order["id"])
    orders.set(json.dumps(order))
    return func.HttpResponse(json.dumps({"id": order["id"]}), status_code=202, mimetype="application/json")
