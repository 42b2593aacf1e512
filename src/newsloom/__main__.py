"""`python -m newsloom` runs the CLI."""

from newsloom.cli import app

app(prog_name="newsloom")
