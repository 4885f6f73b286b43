"""A served app whose answers take a while, for the SIGTERM test: ``python slow_app.py PORT MARKER``.

It runs the same ``run.serve`` as ``naltrexone-qa serve``; each answer writes
MARKER when it starts, then takes 2 s, so the test can signal the server while
a request is certainly in flight.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from naltrexone_qa.frontends.http.app import create_app
from naltrexone_qa.frontends.http.run import serve
from naltrexone_qa.frontends.http.service import Service
from naltrexone_qa.server_settings import ServerSettings
from slack_mock_server import FakeAnswerer, answer_for


def main() -> None:
    port, marker = int(sys.argv[1]), Path(sys.argv[2])

    def slow(question: str):
        marker.write_text(question)
        time.sleep(2.0)
        return answer_for(question)

    server = ServerSettings(port=port, request_timeout=10)
    serve(create_app(Service.of(FakeAnswerer(slow)), server), server)


if __name__ == "__main__":
    main()
