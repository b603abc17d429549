"""The directory: wards, groups, households, residents, roles, binding, privacy."""
