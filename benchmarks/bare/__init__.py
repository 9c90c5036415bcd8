"""P1's second reference: a bare Django project (one view, no middleware, no app) that does
the baseline's one INSERT, served by the same gunicorn config as Veille (benchmarks/README.md)."""
