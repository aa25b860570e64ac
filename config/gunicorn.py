"""gunicorn settings for `make serve`; every value can be changed from the environment.

    GUNICORN_BIND        where to listen (default 127.0.0.1:8000; 0.0.0.0:8000 behind a proxy on another host)
    WEB_CONCURRENCY      worker processes (default 2 × CPU cores + 1)
    GUNICORN_THREADS     threads per worker (default 1)
    GUNICORN_TIMEOUT     seconds before a silent worker is restarted (default 30)
    FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers gunicorn trusts (gunicorn's own variable;
                         default 127.0.0.1)

Logs go to stdout: an access line per request, and gunicorn's own messages.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes a server down.
max_requests = 2000
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: one fixed path per user would clash between instances on one host.
control_socket_disable = True

accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
