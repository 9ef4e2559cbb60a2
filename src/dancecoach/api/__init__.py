"""API layer: FastAPI routes, the WebSocket handler and pydantic wire schemas."""
