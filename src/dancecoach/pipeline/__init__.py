"""Pose pipeline: pure numpy in, numpy out (no FastAPI, no pydantic)."""
