"""Helpers of the public subscription pages' tests: the form's fields, its error texts, and
the links and codes the messages carry."""

import re

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def form_for(**fields) -> dict:
    return {"channel": "email", "language": "en", "scope": "all", **fields}


def errors_beside(document, name: str) -> str:
    return document.find("p", id=f"{name}-error").text()


def link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def code_in(fake) -> str:
    return re.search(r"\b[0-9]{6}\b", fake.bodies()[-1]).group(0)
