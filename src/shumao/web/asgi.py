"""The application for an ASGI server started by name (``uvicorn shumao.web.asgi:app``,
several workers): settings from the environment, the store as configured, its long-lived
objects frozen at start-up (``heap``)."""

from shumao.web.app import create_app

app = create_app()
app.state.settle_heap = True
