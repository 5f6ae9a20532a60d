"""The lab's device simulators by platform: factory hooks named by import path, because the
lab processes import them again."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from rollout.lab.server import DeviceFactory
from rollout.lab.specs import LabConfigError, LabDeviceSpec, LabOptions

FactoryHook = Callable[[LabDeviceSpec, LabOptions], DeviceFactory]


class FactoryRef:
    """A factory hook named by import path (``"package.module:function"``), imported lazily."""

    def __init__(self, path: str) -> None:
        if ":" not in path:
            raise LabConfigError(f"factory path {path!r} must look like 'package.module:function'")
        self.path = path

    def resolve(self) -> FactoryHook:
        module_name, _, attr = self.path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise LabConfigError(
                f"cannot import the device factory module {module_name!r} ({exc}); "
                "is that platform's simulator installed?"
            ) from exc
        hook = getattr(module, attr, None)
        if not callable(hook):
            raise LabConfigError(f"{self.path}: {module_name} has no callable {attr!r}")
        return hook  # type: ignore[no-any-return]

    def __call__(self, spec: LabDeviceSpec, options: LabOptions) -> DeviceFactory:
        return self.resolve()(spec, options)

    def __repr__(self) -> str:
        return f"FactoryRef({self.path!r})"


FACTORIES: dict[str, FactoryHook] = {
    "cisco_ios": FactoryRef("rollout.lab.platforms:ios_factory"),
    "polycom": FactoryRef("rollout.lab.platforms:polycom_factory"),
}
"""Platform name → factory hook. Hooks must be importable by path (module-level functions
or :class:`FactoryRef`), because the lab processes import them again."""


def register_platform(platform: str, hook: FactoryHook | str) -> None:
    """Register a factory hook (a module-level function or a ``"module:function"`` path)."""
    FACTORIES[platform] = FactoryRef(hook) if isinstance(hook, str) else hook


def factory_path(hook: FactoryHook) -> str:
    """The import path of a hook, as the lab processes will import it."""
    if isinstance(hook, FactoryRef):
        return hook.path
    module = getattr(hook, "__module__", None)
    qualname = getattr(hook, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname or "." in qualname:
        raise LabConfigError(
            f"factory hook {hook!r} cannot be imported by a lab process; register a "
            "module-level function or a 'package.module:function' path"
        )
    return f"{module}:{qualname}"
