"""gunicorn settings every deployment uses: `gunicorn -c config/gunicorn.py config.wsgi` (the
demo's `hongmian run_all` passes it too). Command-line options still override these."""

# The access log, with secrets in query strings (an Open311 `api_key`) redacted.
logger_class = "hongmian.core.logredact.GunicornLogger"
accesslog = "-"
