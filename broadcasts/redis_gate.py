"""A global GCRA gate in Redis, so several Loa instances together respect one bot's limit."""

from __future__ import annotations

from redis.asyncio import Redis

from broadcasts.limiter import global_burst

# KEYS[1] = TAT key, KEYS[2] = pause key; ARGV = interval, tolerance (seconds).
# Redis's own clock is used, so instances on different machines agree.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return tostring(paused - now) end
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow = tat - tonumber(ARGV[2])
if now < allow then return tostring(allow - now) end
local ttl = math.ceil((tat + interval - now) * 1000) + 1000
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', ttl)
return '0'
"""
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > cur then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""


class RedisGate:
    def __init__(self, redis: Redis, bot_id: int, rate: float) -> None:
        self.redis = redis
        self.keys = [f"loa:rate:{bot_id}:tat", f"loa:rate:{bot_id}:pause"]
        self.interval = 1.0 / rate
        self.tolerance = (global_burst(rate) - 1) * self.interval
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    async def try_take(self) -> float:
        return float(await self._take(keys=self.keys, args=[self.interval, self.tolerance]))

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.keys[1]], args=[seconds])
