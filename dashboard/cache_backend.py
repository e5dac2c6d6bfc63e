"""A Redis cache that never takes the app down: when Redis is unreachable every read is a miss and every write is
skipped, the app computes instead, and the outage is logged once (and its end once)."""

from __future__ import annotations

import functools
import logging

from flask_caching.backends.rediscache import RedisCache

LOG = logging.getLogger("quartiersatlas.cache")
OPERATIONS = {"get": None, "get_many": None, "has": False, "set": False, "add": False, "set_many": [], "delete": False,
              "delete_many": [], "clear": False, "inc": None, "dec": None, "unlink": 0, "get_dict": {}}
# Short timeouts: a request must not wait on a Redis that is gone (CACHE_OPTIONS are passed to redis.from_url).
OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "retry_on_timeout": False, "health_check_interval": 10}


class FailSafeRedisCache(RedisCache):
    """flask-caching's RedisCache whose operations fall back (miss, no-op) on any Redis error."""

    down = False

    def _failed(self, name: str, exc: Exception):
        if not FailSafeRedisCache.down:
            FailSafeRedisCache.down = True
            LOG.warning("cache: Redis unavailable (%s: %s); serving without the shared cache until it is back", type(exc).__name__, exc)
        return OPERATIONS[name] if not callable(OPERATIONS[name]) else OPERATIONS[name]()

    def _ok(self) -> None:
        if FailSafeRedisCache.down:
            FailSafeRedisCache.down = False
            LOG.warning("cache: Redis is back; the shared cache is used again")


def _guard(name: str):
    original = getattr(RedisCache, name)

    @functools.wraps(original)
    def guarded(self, *args, **kwargs):
        from redis.exceptions import RedisError

        try:
            result = original(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            return self._failed(name, exc)
        self._ok()
        return result

    return guarded


for _name in OPERATIONS:
    if hasattr(RedisCache, _name):
        setattr(FailSafeRedisCache, _name, _guard(_name))
