"""The floor: Flask's "hello" under the same WSGI server (granian) as lodpub, for the cost of the stack itself."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
