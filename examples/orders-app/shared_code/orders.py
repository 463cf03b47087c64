import json
import uuid


def parse_order(body: bytes) -> dict:
    order = json.loads(body or b"{}")
    order.setdefault("id", str(uuid.uuid4()))
    return order
