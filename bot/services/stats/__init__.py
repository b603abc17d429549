"""Indicators: how well a ward reaches its households, how regularly it speaks, how quickly it
answers. Computed by SQL from Loa's own records; no aiogram (the CLI, bot and web share it)."""

from bot.services.stats.indicators import GroupStats, Period, WardStats, ward_stats

__all__ = ["GroupStats", "Period", "WardStats", "ward_stats"]
