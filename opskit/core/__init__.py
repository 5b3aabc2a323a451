"""Shared core: findings model, renderers, errors and exit codes, config, CLI helpers."""
