from typing import Optional

import azure.functions as func


def main(req: func.HttpRequest, receipt: Optional[func.InputStream]) -> bytes:
    if receipt is None:
        return b"not found"
    return receipt.read()
