"""Settings for benchmarks/redirect.py: the production settings plus one bare 302 view,
served by the same server and middleware, as the ceiling our redirect is measured against."""

from qrsite.settings import *  # noqa: F403

ROOT_URLCONF = "redirect_bench_urls"
