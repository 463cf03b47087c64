import datetime
import logging

import azure.functions as func


def main(timer: func.TimerRequest) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    if timer.past_due:
        logging.warning("The nightly report is running late")
    logging.info("Nightly report generated at %s", now.isoformat())
