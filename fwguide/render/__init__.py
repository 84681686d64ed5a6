"""Renderers: pure functions from the validated model to text, one module per target."""
