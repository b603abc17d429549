"""The global gate in Redis: several Loa instances together respect one bot's limit.

The whole control state is shared, not only the pacing: the rate the control law allows
(`broadcasts.control`: additive increase, multiplicative decrease once per congestion
episode), the pause after a 429, and the pacer's next slot. So a 429 seen by one instance
stops them all, and they climb back together. Each instance passes its own latency cap.
Redis's own clock is used, so instances on different machines agree.
"""

from __future__ import annotations

from redis.asyncio import Redis

from broadcasts.control import ALPHA, BETA, FLOOR, SLACK

# KEYS: tat, pause, rate, rate_at. ARGV: ceiling, cap, slack, alpha.
_STATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ceiling = tonumber(ARGV[1])
local rate = tonumber(redis.call('GET', KEYS[3]) or ARGV[1])
local at = tonumber(redis.call('GET', KEYS[4]) or tostring(now))
if now > at then rate = math.min(ceiling, rate + tonumber(ARGV[4]) * ceiling * (now - at)) end
local cap = math.min(rate, tonumber(ARGV[2]))
"""
_KEEP = """
redis.call('SET', KEYS[3], tostring(rate), 'EX', 3600)
redis.call('SET', KEYS[4], tostring(now), 'EX', 3600)
"""
_TAKE = (
    """
local t = redis.call('TIME')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local at_now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if paused > at_now then return {tostring(paused - at_now), ARGV[2]} end
"""
    + _STATE
    + _KEEP
    + """
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < tat then return {tostring(tat - now), tostring(cap)} end
tat = math.max(tat, now - tonumber(ARGV[3])) + 1 / cap
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return {'0', tostring(cap)}
"""
)
# ARGV (after the four above): seconds, beta, floor.
_PAUSE = (
    _STATE
    + """
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused <= now then rate = math.max(tonumber(ARGV[7]) * ceiling, cap * tonumber(ARGV[6])) end
local until_ = math.max(paused, now + tonumber(ARGV[5]))
redis.call('SET', KEYS[3], tostring(rate), 'EX', 3600)
redis.call('SET', KEYS[4], tostring(until_), 'EX', 3600)
local ttl = math.ceil((until_ - now) * 1000) + 1000
redis.call('SET', KEYS[2], tostring(until_), 'PX', ttl)
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), until_)
redis.call('SET', KEYS[1], tostring(tat), 'PX', ttl)
return 1
"""
)


class RedisGate:
    def __init__(self, redis: Redis, bot_id: int, rate: float) -> None:
        self.redis = redis
        prefix = f"loa:rate:{bot_id}:"
        self.keys = [prefix + name for name in ("tat", "pause", "rate", "rate_at")]
        self.ceiling = self.rate = rate
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    def _args(self, cap: float) -> list[float]:
        return [self.ceiling, cap, SLACK, ALPHA]

    async def try_take(self, cap: float) -> float:
        wait, rate = await self._take(keys=self.keys, args=self._args(cap))
        self.rate = float(rate)
        return float(wait)

    async def pause(self, seconds: float, cap: float) -> None:
        await self._pause(keys=self.keys, args=[*self._args(cap), seconds, BETA, FLOOR])
