"""The app object uvicorn imports (one per worker process)."""

from app.main import create_app

app = create_app()
