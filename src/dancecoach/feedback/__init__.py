"""Coaching feedback: LLM (OpenAI) with a template fallback."""
