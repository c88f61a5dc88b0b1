"""Build hook: map the user's top-level layout (models/, cli.py, data/places) under `twin` in a wheel.

Only for a standard wheel; an editable install copies nothing (see pyproject.toml).
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LAYOUT = {"cli.py": "twin/cli.py", "models": "twin/models", "data/places": "twin/data/places"}


class LayoutHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data.setdefault("force_include", {}).update(LAYOUT)
