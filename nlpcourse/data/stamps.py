"""Token ids remember which vocabulary made them, and a model refuses another's.

Id 1,000 is one piece of text in GPT-2's vocabulary and another in SmolLM2's. A
transformers model cannot tell whose ids it is given: ids from the wrong tokenizer go
through without an error and come out as fluent-looking nonsense. The loaders of
``nlpcourse.data`` close that hole:

- :func:`stamp_tokenizer` makes a tokenizer write its vocabulary's name on the id
  tensors it returns (``tokenizer(...)``, ``encode``, ``apply_chat_template``), as the
  attribute ``nlpcourse_vocabulary``;
- :func:`guard_model` makes a model check that name on the ids it is given (its forward
  pass and ``generate``) and raise :class:`VocabularyMismatch`, naming both sides and
  the right tokenizer, when they differ.

Ids a learner builds by hand carry no name and are not checked.
"""

from __future__ import annotations

import functools

__all__ = ["STAMP", "VocabularyMismatch", "guard_model", "stamp_tokenizer"]

STAMP = "nlpcourse_vocabulary"


class VocabularyMismatch(ValueError):
    """Token ids from one vocabulary were given to a model trained on another."""


def _stamp(value, vocabulary: str):
    """Write ``vocabulary`` on the id tensor(s) of a tokenizer's output; return it."""
    ids = value.get("input_ids") if hasattr(value, "get") else value
    if hasattr(ids, "shape"):  # a tensor (lists and strings cannot carry attributes)
        setattr(ids, STAMP, vocabulary)
    return value


def _stamped_class(base: type) -> type:
    """``base`` with its id-returning methods stamping their ids; one class per base,
    kept in this module under its own name, so that a stamped tokenizer pickles."""
    name = f"Stamped{base.__name__}"
    if name not in globals():

        class Stamped(base):
            def __call__(self, *args, **kwargs):
                return _stamp(super().__call__(*args, **kwargs), getattr(self, STAMP))

            def encode(self, *args, **kwargs):
                return _stamp(super().encode(*args, **kwargs), getattr(self, STAMP))

            def apply_chat_template(self, *args, **kwargs):
                return _stamp(super().apply_chat_template(*args, **kwargs),
                              getattr(self, STAMP))

        Stamped.__name__ = Stamped.__qualname__ = name
        Stamped.__module__ = __name__
        globals()[name] = Stamped
    return globals()[name]


def stamp_tokenizer(tokenizer, vocabulary: str):
    """``tokenizer`` itself, from now on stamping its id tensors with ``vocabulary``."""
    tokenizer.__class__ = _stamped_class(type(tokenizer))
    setattr(tokenizer, STAMP, vocabulary)
    return tokenizer


def guard_model(model, vocabulary: str, model_name: str, loader: str):
    """``model`` itself, from now on refusing ids stamped with another vocabulary."""

    def check(ids) -> None:
        found = getattr(ids, STAMP, None)
        if found is not None and found != vocabulary:
            raise VocabularyMismatch(
                f"these token ids come from the {found} tokenizer, but {model_name} reads "
                f"ids of its own vocabulary ({vocabulary}): the same id is a different piece "
                f"of text in the two, so the output would be nonsense. Encode the text with "
                f"the tokenizer that {loader} returned.")

    def before_forward(module, args, kwargs):
        check(kwargs.get("input_ids", args[0] if args else None))

    model.register_forward_pre_hook(before_forward, with_kwargs=True)
    generate = getattr(model, "generate", None)  # an encoder has none
    if generate is not None:

        @functools.wraps(generate)
        def checked_generate(*args, **kwargs):
            # generate slices its input before the first forward pass: check it here
            check(kwargs.get("input_ids", kwargs.get("inputs", args[0] if args else None)))
            return generate(*args, **kwargs)

        model.generate = checked_generate
    setattr(model, STAMP, vocabulary)
    return model
