"""Sources that build a city bundle: the synthetic demo city, Berlin open data, a user's own files."""
