"""Orchestration: reference preprocessing, offline comparison and live session lifecycle."""
