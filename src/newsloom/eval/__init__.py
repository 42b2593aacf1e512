"""Evaluation commands: the same cores as `newsloom run`, scored against labelled data."""
