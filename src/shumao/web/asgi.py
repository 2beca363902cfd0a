"""The application for an ASGI server started by name (``uvicorn shumao.web.asgi:app``,
several workers): settings from the environment, the store as configured."""

from shumao.web.app import create_app

app = create_app()
