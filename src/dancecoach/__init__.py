"""dancecoach: a K-pop dance practice coach (live webcam scoring, offline comparison, coaching)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
