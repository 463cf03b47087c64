import json
import logging

import azure.functions as func


def main(msg: func.QueueMessage, receipt: str) -> None:
    order = json.loads(msg.get_body().decode("utf-8"))
    logging.info("Processing order %s", order["id"])
    receipt.set(json.dumps({"order": order["id"], "status": "processed"}))
