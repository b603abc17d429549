"""Indicators: how well a ward reaches its households, how regularly it speaks, how quickly it
answers; its targets; the weekly digest and alerts. Computed by SQL from Loa's own records; no
aiogram (the CLI, bot, web and scheduler share it)."""

from bot.services.stats.figures import GroupStats, WardStats
from bot.services.stats.indicators import ward_stats
from bot.services.stats.period import Period
from bot.services.stats.targets import Targets, get_targets

__all__ = ["GroupStats", "Period", "Targets", "WardStats", "get_targets", "ward_stats"]
