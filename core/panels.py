"""A list of panel builders other apps register into: the one mechanism behind the
campaign dashboard (campaigns.dashboard) and the home page (accounts.home).

A builder is ``build(subject) -> dict | None``; the dict names a template
(``{"template": "<app>/_panel.html", ...}``) and carries that template's context. The
owner of a Panels list names none of the apps that register into it.
"""


class Panels:
    def __init__(self):
        self.builders = []

    def register(self, build):
        """Add a builder; registering the same function twice keeps one. Panels appear in
        the order they were registered (AppConfig.ready(), so INSTALLED_APPS order)."""
        if build not in self.builders:
            self.builders.append(build)

    def build(self, subject):
        """The non-empty panels of every builder for `subject`; a panel without a template
        is a programming error, named after its builder."""
        panels = []
        for build in self.builders:
            panel = build(subject)
            if panel:
                if "template" not in panel:
                    raise ValueError(f"{build.__module__}.{build.__name__} returned a panel without a template")
                panels.append(panel)
        return panels
