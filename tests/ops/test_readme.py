"""The README's "Operations" section documents every setting and every deployment variable."""

from __future__ import annotations

import re

from kafaat.platform import PROCESSES, ROOT


def operations_section() -> str:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"^## Operations\n(.*?)(?=^## )", readme, re.M | re.S)
    assert found is not None, "README.md has no Operations section"
    return found.group(1)


def test_every_setting_of_every_process_is_in_the_configuration_table() -> None:
    section = operations_section()
    for process in PROCESSES:
        for name in process.setting_names():
            setting = name.removeprefix(process.env_prefix)
            assert re.search(rf"\|[^|\n]*`{setting}`[^|\n]*\|", section), (
                f"{setting} ({process.name}) is not in README.md's configuration table"
            )


def test_every_variable_compose_requires_is_explained() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    section = operations_section()
    for variable in set(re.findall(r"\$\{(\w+):\?", compose)):
        own_setting = any(
            variable.startswith(p.env_prefix)
            and variable.removeprefix(p.env_prefix)
            in {n.removeprefix(p.env_prefix) for n in p.setting_names()}
            for p in PROCESSES
        )
        assert own_setting or f"`{variable}`" in section, variable
