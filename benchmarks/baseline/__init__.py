"""The reference for P1 and P7: a bare Django view that parses the webhook's POST and does
one INSERT, served by the same settings, middleware and gunicorn as the real webhook."""
