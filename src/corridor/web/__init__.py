"""Web dashboard and JSON API (FastAPI): `corridor.web.app.create_app`, pages in `pages`."""
