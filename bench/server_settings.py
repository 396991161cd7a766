"""Settings of the benchmark's HTTP server: portal.settings unchanged, one URL added.

`bench/pages.py` starts `gunicorn bench.server_wsgi` with these settings. Everything (the
environment variables, middleware, templates, database) is the portal's own; only the
URL configuration is `bench.server_urls`, which adds the bare view the page timings are
compared with. The portal itself never loads this module.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
