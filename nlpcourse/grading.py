"""What the homework's tests use to grade fairly: banned calls are caught, not just forbidden.

A homework question says which ready-made functions its answer may not use (PyTorch's
``scaled_dot_product_attention`` for the attention question, gensim and this package
everywhere). The tests call the learner's function through :func:`forbid`, which watches
every call the function makes, however it reached the banned one (an alias, a helper of
the learner's, ``getattr``), and fails with a message that names it:

>>> checked = forbid("torch.nn.functional.scaled_dot_product_attention", "nlpcourse")
>>> output = checked(attention, q, k, v)  # doctest: +SKIP
AssertionError: attention calls torch.nn.functional.scaled_dot_product_attention, ...

:func:`shown` formats a tensor or a list briefly for the tests' failure messages.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable

import torch

__all__ = ["forbid", "called", "shown"]


def _in(module: str, modules: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in modules)


def _resolve(name: str):
    """``"gensim"`` stays a module name; ``"torch.lstm_cell"`` becomes the object it names."""
    if importlib.util.find_spec(name.split(".")[0]) is None:
        raise ValueError(f"forbid: no module {name.split('.')[0]!r} is installed")
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            if split == len(parts):
                return name  # a whole module
            value = importlib.import_module(module_name)
            for attribute in parts[split:]:
                value = getattr(value, attribute)  # AttributeError names a misspelt ban
            return value
    raise ValueError(f"forbid: cannot resolve {name!r}")


def _codes(value) -> list[types.CodeType]:
    """The code a banned Python function runs, or every method of a banned class."""
    if isinstance(value, types.FunctionType):
        return [value.__code__]
    if isinstance(value, type):
        return [m.__code__ for m in vars(value).values() if isinstance(m, types.FunctionType)]
    return []


def called(function: Callable, banned: list[str], *args, **kwargs) -> tuple[object, list[str]]:
    """Call ``function(*args, **kwargs)``; return its result and the banned names it called.

    ``banned`` holds dotted names: a module (``"gensim"`` bans every function defined in
    gensim or below it) or an object in one (``"torch.lstm_cell"``, a builtin;
    ``"torch.nn.utils.rnn.pad_sequence"``, a Python function; ``"torch.nn.LSTMCell"``, a
    class, any of whose methods counts). Calls are seen through :func:`sys.setprofile`,
    so they count however the function reached them: an alias, a helper, ``getattr``.
    """
    resolved = {name: _resolve(name) for name in banned}
    modules = tuple(name for name, value in resolved.items() if value == name)
    codes = {code: name for name, value in resolved.items() for code in _codes(value)}
    builtins = [(value, name) for name, value in resolved.items() if value != name and not _codes(value)]
    seen: list[str] = []

    def watch(frame, event, arg):
        if event == "call":
            if frame.f_code in codes:
                seen.append(codes[frame.f_code])
            module = frame.f_globals.get("__name__", "")
            caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
            if _in(module, modules) and not _in(caller, modules):  # where it entered
                seen.append(f"{module}.{frame.f_code.co_name}")
        elif event == "c_call":
            seen.extend(name for value, name in builtins if arg is value)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, sorted(set(seen))


def forbid(*banned: str) -> Callable:
    """A caller that runs a learner's function and fails if it used anything in ``banned``.

    ``forbid(*banned)(function, *args, **kwargs)`` returns ``function(*args, **kwargs)``;
    it raises ``AssertionError`` naming the banned calls the function made.
    """

    def call(function: Callable, *args, **kwargs):
        result, seen = called(function, list(banned), *args, **kwargs)
        name = getattr(function, "__name__", "your function")
        assert not seen, (
            f"{name} calls {', '.join(seen)}, which this question puts off limits: "
            "write it yourself (the question says what you may use)"
        )
        return result

    return call


def shown(value, limit: int = 6) -> str:
    """A short printable form of a tensor, list or value for a test's failure message."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().flatten()[:limit].tolist()
        more = ", ..." if value.numel() > limit else ""
        rounded = ", ".join(f"{x:.4g}" if isinstance(x, float) else str(x) for x in flat)
        return f"tensor of shape {tuple(value.shape)}, {value.dtype}: [{rounded}{more}]"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
