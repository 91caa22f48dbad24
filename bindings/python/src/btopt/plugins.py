"""Strategy plugins: what one says about itself (btopt_plugin_describe)."""

from __future__ import annotations

import os
from ctypes import byref, c_char_p, c_void_p
from typing import Any

from . import _lib
from ._handle import Handle
from .errors import check
from .space import Parameter, ParameterSpace


def describe_plugin(path_or_name: str | os.PathLike[str]) -> dict[str, Any]:
    """Describes a strategy plugin without loading it into this process.

    ``path_or_name`` is a path, or a name looked up as NAME, libNAME.so or
    NAME.so in BTOPT_PLUGIN_PATH and then in btopt's own plugin folder.
    Returns a dict: name, version, description, path, metrics (list),
    default_metric (name), lower_is_better (the metrics an objective on which
    is minimised, e.g. max_drawdown), parameters (list of dicts), constraints
    (list), space (a ParameterSpace equal to the plugin's, ready to narrow)
    and config: the config keys it declares, each a dict with name, type
    ("text", "number", "integer" or "choice"), default, allowed and doc; None
    for a plugin that declares none (then every key reaches its init).
    PluginError when it cannot be found, loaded or checked."""
    lib = _lib.library()
    out = c_void_p()
    check(lib.btopt_plugin_describe(byref(out), _lib.encode(os.fspath(path_or_name), "a plugin")))
    info = Handle(out.value, lib.btopt_plugin_info_destroy, "plugin info")
    try:
        p = info.pointer
        metrics = [_lib.decode(lib.btopt_plugin_info_metric(p, i)) for i in range(lib.btopt_plugin_info_metric_count(p))]
        default = lib.btopt_plugin_info_default_metric(p)
        space = ParameterSpace._read(lib.btopt_plugin_info_space(p))
        return {
            "name": _lib.decode(lib.btopt_plugin_info_name(p)),
            "version": _lib.decode(lib.btopt_plugin_info_version(p)),
            "description": _lib.decode(lib.btopt_plugin_info_description(p)),
            "path": _lib.decode(lib.btopt_plugin_info_path(p)),
            "metrics": metrics,
            "default_metric": metrics[default] if default < len(metrics) else None,
            "lower_is_better": [m for i, m in enumerate(metrics) if lib.btopt_plugin_info_metric_lower_is_better(p, i)],
            "config": _config_keys(lib, p),
            "parameters": [_parameter_dict(x) for x in space.parameters],
            "constraints": space.constraints,
            "space": space,
        }
    finally:
        info.close()


def _config_keys(lib: Any, info: Any) -> list[dict[str, str]] | None:
    if not lib.btopt_plugin_info_config_declared(info):
        return None
    keys = []
    for i in range(lib.btopt_plugin_info_config_count(info)):
        fields = [c_char_p() for _ in range(5)]
        check(lib.btopt_plugin_info_config_key(info, i, *[byref(f) for f in fields]))
        keys.append(dict(zip(("name", "type", "default", "allowed", "doc"),
                             (_lib.decode(f.value or b"") for f in fields))))
    return keys


def _parameter_dict(parameter: Parameter) -> dict[str, Any]:
    from .space import CategoricalParameter, ContinuousParameter, DiscreteParameter

    if isinstance(parameter, CategoricalParameter):
        return {"name": parameter.name, "kind": "choice", "choices": list(parameter.choices)}
    assert isinstance(parameter, (DiscreteParameter, ContinuousParameter))
    kind = "float" if isinstance(parameter, ContinuousParameter) else "int"
    return {
        "name": parameter.name,
        "kind": kind,
        "min_value": parameter.min_value,
        "max_value": parameter.max_value,
        "step": parameter.step,
    }
