"""The reference for every throughput ratio: a bare Flask hello-world on the same Flask and gunicorn.

`make bench` serves it with the same gunicorn settings as Reset Lab (`bench.hello:app`, -w 4 sync) and
interleaves its runs with Reset Lab's, so a ratio compares two figures taken minutes apart on one machine.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest useful Flask response."""
    return "Hello, World!"
