"""Output formats for a Report: text, JSON and SARIF, one small class each."""

from opskit.core.render.interface import Renderer, get_renderer

__all__ = ["Renderer", "get_renderer"]
