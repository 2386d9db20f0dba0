"""The baseline for page benchmarks: a hello-world Flask app, served by the same gunicorn config."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
