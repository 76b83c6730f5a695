"""A GPU runtime, checked on a machine without one.

Colab users switch the runtime to a GPU. Two things must then hold, and both are checked
here on the CPU:

1. **The lessons.** A lesson either runs on the device it announces or runs on the CPU
   and says so. A static check follows each lesson's code in order: which names hold
   the device (``get_device()``), which models were moved to it (``.to(device)``,
   ``fit(..., device=device)``) and which tensors were, and reports a model on the
   device fed a tensor built without it, device results turned into NumPy without
   ``.cpu()``, and ``fit`` without a device in a lesson that announces one.
2. **The package.** PyTorch's ``meta`` device stands in for a GPU: like CUDA, it refuses
   to mix its tensors with CPU tensors in one operation ("Tensor on device cpu is not
   on the expected device meta!"), so a model that builds a mask or a position index on
   the CPU fails there exactly as it would on a GPU. Meta tensors hold no values, so
   ``.item()`` and ``.cpu()`` of one are stubbed (``meta_as_gpu``); everything else runs.
"""

from __future__ import annotations

import ast
import re

import jupytext
import pytest
import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten
from torch.utils.data import DataLoader, TensorDataset

from conftest import lesson_sources
from nlpcourse.train import evaluate, fit, predict

# --- 1. The lessons --------------------------------------------------------------------

# Methods of a model that take no input tensors, so calling them on a device model with
# CPU arguments is fine.
NO_INPUT_METHODS = {
    "apply", "buffers", "children", "cpu", "eval", "load_state_dict", "modules",
    "named_buffers", "named_modules", "named_parameters", "parameters", "register_buffer",
    "register_forward_hook", "requires_grad_", "state_dict", "to", "train", "zero_grad",
}
# Sequence lengths stay on the CPU on purpose: pack_padded_sequence wants them there, and
# the course's models move them where they are needed.
LENGTHS = re.compile(r"length", re.I)


def _call_name(node: ast.AST) -> str | None:
    """``f`` for ``f(...)`` and ``obj.f(...)``."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


class DeviceFlow(ast.NodeVisitor):
    """Follows, in source order, which names hold the device, a model on it, or a tensor on it."""

    def __init__(self) -> None:
        self.devices: set[str] = set()  # names bound to get_device()
        self.models: set[str] = set()  # models moved to the device
        self.tensors: set[str] = set()  # tensors on the device
        self.problems: list[str] = []
        self.announced = False  # get_device() was called
        self.placed = 0  # times a model was moved to the device

    # what an expression is
    def is_device(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.devices
        if isinstance(node, ast.Attribute):  # x.device
            return node.attr == "device"
        return isinstance(node, ast.Call) and _call_name(node) == "get_device"

    def moves_to_device(self, node: ast.Call) -> bool:
        """``x.to(device)``, ``x.to(device=...)``, ``x.cuda()``, or ``device=device``."""
        if isinstance(node.func, ast.Attribute) and node.func.attr == "cuda":
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr == "to":
            args = node.args + [k.value for k in node.keywords if k.arg == "device"]
            if any(self.is_device(a) for a in args):
                return True
        return any(k.arg == "device" and self.is_device(k.value) for k in node.keywords)

    def model_of(self, node: ast.AST) -> str | None:
        """The device model a call goes to: ``m(...)``, ``m.method(...)``, ``m.eval()(...)``."""
        if isinstance(node, ast.Name) and node.id in self.models:
            return node.id
        if isinstance(node, ast.Call) and _call_name(node) in {"eval", "train"}:
            return self.model_of(node.func.value) if isinstance(node.func, ast.Attribute) else None
        return None

    def on_device(self, node: ast.AST) -> bool:
        """Whether an expression's value lives on the device (as far as the code shows)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.tensors:
                return True
            if isinstance(sub, ast.Call):
                if self.moves_to_device(sub):
                    return True
                if self.model_of(sub.func) is not None:  # a device model's output
                    return True
                func = sub.func
                if isinstance(func, ast.Attribute) and self.model_of(func.value) is not None \
                        and func.attr not in NO_INPUT_METHODS:
                    return True
            if isinstance(sub, ast.Attribute) and self.model_of(sub.value) is not None:
                return True  # a device model's weights
        return False

    def back_on_cpu(self, node: ast.AST) -> bool:
        return any(isinstance(s, ast.Call) and _call_name(s) == "cpu" for s in ast.walk(node))

    # what a statement does
    def bind(self, target: ast.AST, value: ast.AST | None) -> None:
        names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        for name in names:
            self.models.discard(name)
            self.tensors.discard(name)
            self.devices.discard(name)
        if value is None or len(names) != 1 or not isinstance(target, ast.Name):
            if value is not None and self.on_device(value) and not self.back_on_cpu(value):
                self.tensors.update(names)  # unpacking a device model's outputs
            return
        name = names[0]
        if self.is_device(value):
            self.devices.add(name)
            self.announced = True
        elif isinstance(value, ast.Call) and self.moves_to_device(value) and \
                isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Call) and \
                _call_name(value.func.value) not in {"tensor", "zeros", "ones", "arange", "randn"}:
            self.models.add(name)  # m = Model(...).to(device)
            self.placed += 1
        elif isinstance(value, ast.Name) and value.id in self.models:
            self.models.add(name)
        elif self.on_device(value) and not self.back_on_cpu(value):
            self.tensors.add(name)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.bind(node.target, node.value)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.bind(node.target, None)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        """A function's body sees the names around it, shadowed by its parameters; what
        it binds stays inside."""
        outside = (set(self.devices), set(self.models), set(self.tensors))
        for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
            self.bind(ast.Name(arg.arg), None)
            if arg.arg == "device":
                self.devices.add(arg.arg)
        for stmt in node.body:
            self.visit(stmt)
        self.devices, self.models, self.tensors = outside

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                isinstance(call.func.value, ast.Name):
            name = call.func.value.id
            if self.moves_to_device(call):  # model.to(device): modules move in place
                self.models.add(name)
                self.placed += 1
            elif call.func.attr == "cpu" or (call.func.attr == "to" and not self.moves_to_device(call)):
                self.models.discard(name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        line = node.lineno
        model = self.model_of(node.func)
        if model is None and isinstance(node.func, ast.Attribute) and \
                node.func.attr not in NO_INPUT_METHODS:
            model = self.model_of(node.func.value)
        if model is not None:
            for arg in node.args:
                if isinstance(arg, ast.Constant) or (
                        isinstance(arg, ast.Name) and LENGTHS.search(arg.id)):
                    continue
                if isinstance(arg, ast.Call) and any(isinstance(a, ast.Name) and LENGTHS.search(a.id)
                                                      for a in ast.walk(arg)):
                    continue
                if not self.on_device(arg):
                    self.problems.append(f"line {line}: {model} is on the device but "
                                         f"`{ast.unparse(arg)}` was built without it")
        if _call_name(node) == "numpy" and isinstance(node.func, ast.Attribute):
            chain = node.func.value
            if self.on_device(chain) and not self.back_on_cpu(chain):
                self.problems.append(f"line {line}: `{ast.unparse(chain)}` lives on the device; "
                                     "call .cpu() before .numpy()")
        if _call_name(node) == "fit" and isinstance(node.func, ast.Name) and self.devices:
            moved = node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in self.models
            device_kw = next((k.value for k in node.keywords if k.arg == "device"), None)
            if device_kw is not None and self.is_device(device_kw) and node.args and \
                    isinstance(node.args[0], ast.Name):
                self.models.add(node.args[0].id)  # fit moves the model to the device
                self.placed += 1
            elif not moved:
                self.problems.append(f"line {line}: the lesson announces a device but this "
                                     "fit trains on the CPU (no device=)")


def device_flow(code: str) -> DeviceFlow:
    flow = DeviceFlow()
    flow.visit(ast.parse(code))
    return flow


def device_problems(code: str) -> list[str]:
    return device_flow(code).problems


def lesson_code(source) -> str:
    """The lesson's code cells in order, without IPython magics."""
    cells = [c.source for c in jupytext.read(source).cells if c.cell_type == "code"]
    return "\n\n".join(line for cell in cells for line in cell.splitlines()
                       if not line.lstrip().startswith(("%", "!")))


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_lesson_runs_on_the_device_it_announces(source):
    flow = device_flow(source.read_text())  # a py:percent file is Python; lines match
    assert not flow.problems, f"{source.name}:\n" + "\n".join(flow.problems)
    if flow.announced:  # the check followed the lesson's model onto its device
        assert flow.placed >= 1, f"{source.name} announces a device but never moves a model there"


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_lesson_that_uses_the_cpu_says_so(source):
    """A lesson without get_device() trains on the CPU; its text must say so, not leave a
    GPU user wondering."""
    code = lesson_code(source)
    if "get_device()" in code:
        assert re.search(r'print\((?:"training on", device|f"training on \{device\})', code), (
            "a lesson that picks its device prints which one it trains on")
    elif re.search(r"(?<![.\w])fit\(|\.backward\(\)", code):  # trains with torch
        assert "runs on the CPU" in source.read_text(), (
            f"{source.name} trains without get_device(): say in the text that it runs on the CPU")


BAD = '''
device = get_device()
model = TextCNN(10, 4).to(device)
fit(model, loader, epochs=1, optimizer=opt)
ids = torch.tensor([[1, 2, 3]])
logits = model(ids)
maps = model.feature_maps(ids, lengths)
weights = model.embedding.weight.detach().numpy()
rnn = RNN(3)
fit(rnn, loader, epochs=1, optimizer=opt)
for ids, lengths, _ in loader:
    model.eval()(ids, lengths)
'''

GOOD = '''
device = get_device()
model = TextCNN(10, 4).to(device)
fit(model, loader, epochs=1, optimizer=opt, device=device)
ids = torch.tensor([[1, 2, 3]], device=device)
lengths = torch.tensor([3])
logits = model(ids, lengths)
maps = model.feature_maps(ids.to(device), lengths)
weights = model.embedding.weight.detach().cpu().numpy()
probs = logits.softmax(-1).cpu().numpy()
model.state_dict()
for ids, lengths, _ in loader:
    model.eval()(ids.to(device), lengths)
model = model.cpu()
model(torch.tensor([[1, 2]]))
'''


def test_the_device_check_finds_each_kind_of_mistake():
    problems = device_problems(BAD)
    assert len(problems) == 5, problems
    assert "line 6: model is on the device but `ids` was built without it" in problems
    assert "line 7: model is on the device but `ids` was built without it" in problems
    assert any(p.startswith("line 8:") and ".cpu() before .numpy()" in p for p in problems)
    assert "line 10: the lesson announces a device but this fit trains on the CPU (no device=)" in problems
    assert "line 12: model is on the device but `ids` was built without it" in problems


def test_the_device_check_accepts_device_aware_code():
    assert device_problems(GOOD) == []


def test_without_get_device_there_is_nothing_to_check():
    assert device_problems("model = Net()\nfit(model, loader, epochs=1, optimizer=opt)\nmodel(x)") == []


# --- 2. The package --------------------------------------------------------------------

META = torch.device("meta")


# Operations that take CPU tensors beside GPU ones by design: the lengths of
# pack_padded_sequence and the batch sizes of a packed sequence stay on the CPU, and
# moving a tensor or a module (to, copy_, and the check nn.Module.to makes) reads both.
MIXED_BY_DESIGN = {"_pack_padded_sequence", "_pad_packed_sequence", "lstm", "gru", "rnn_tanh",
                   "rnn_relu", "to", "copy_", "_has_compatible_shallow_copy_type"}


class OneDevicePerOperation(TorchFunctionMode):
    """CUDA's rule, enforced for meta: every tensor an operation reads is on one device,
    except 0-dimensional CPU scalars. The meta kernels check this for arithmetic but not
    for indexing (an embedding lookup with CPU ids passes on meta and fails on a GPU)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        tensors = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        if any(t.is_meta for t in tensors) and getattr(func, "__name__", "") not in MIXED_BY_DESIGN:
            on_cpu = [tuple(t.shape) for t in tensors if not t.is_meta and t.dim() > 0]
            if on_cpu:
                raise RuntimeError(f"{getattr(func, '__name__', func)} got tensors on the device and "
                                   f"CPU tensors of shapes {on_cpu}: they must be on one device")
        return func(*args, **kwargs)


@pytest.fixture
def meta_as_gpu(monkeypatch):
    """The meta device as a stand-in GPU, with CUDA's one-device rule (above). Its tensors
    have shapes but no values, so the few methods that read values get stand-ins for
    meta tensors only: ``item``, ``int`` and ``float`` give 0 (``int`` gives 1 as a
    size), truth tests give False (so loops that stop early run to the end), and ``cpu``
    and ``tolist`` give zeros of the right shape. CPU tensors are not affected."""
    names = ("item", "tolist", "cpu", "__bool__", "__int__", "__index__", "__float__")
    real = {name: getattr(torch.Tensor, name) for name in names}

    def stand_in(name, fake):
        def method(self, *args, **kwargs):
            return fake(self) if self.is_meta else real[name](self, *args, **kwargs)
        monkeypatch.setattr(torch.Tensor, name, method)

    stand_in("item", lambda t: 0.0 if t.is_floating_point() else 0)
    stand_in("__bool__", lambda t: False)
    stand_in("__int__", lambda t: 1)  # e.g. int(lengths.max()): a size, so at least 1
    stand_in("__index__", lambda t: 1)
    stand_in("__float__", lambda t: 0.0)
    stand_in("cpu", lambda t: torch.zeros(t.shape, dtype=t.dtype))
    stand_in("tolist", lambda t: torch.zeros(t.shape, dtype=t.dtype).tolist())
    with OneDevicePerOperation():
        yield META


def test_meta_refuses_cpu_tensors_as_a_gpu_does(meta_as_gpu):
    """Without this, the tests below could not fail."""
    linear, embedding = nn.Linear(3, 2).to(meta_as_gpu), nn.Embedding(5, 3).to(meta_as_gpu)
    for model, cpu_input in ((linear, torch.ones(4, 3)), (embedding, torch.tensor([1, 2]))):
        with pytest.raises(RuntimeError, match="device"):
            model(cpu_input)
        assert model(cpu_input.to(meta_as_gpu)).device == meta_as_gpu
    assert (torch.ones(2, device=meta_as_gpu) * torch.tensor(2.0)).device == meta_as_gpu  # a scalar is fine


class Recorder(nn.Module):
    """A classifier that writes down the device of every input it is given."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10, 4)
        self.head = nn.Linear(4, 3)
        self.seen: list[torch.device] = []

    def forward(self, ids, lengths):
        self.seen += [ids.device, lengths.device]
        return self.head(self.embedding(ids).sum(1) / lengths[:, None])  # (B, 3)


def cpu_loader():
    ids = torch.randint(1, 10, (12, 5))
    return DataLoader(TensorDataset(ids, torch.full((12,), 5.0), torch.randint(0, 3, (12,))), batch_size=4)


def test_fit_evaluate_and_predict_run_on_the_device(meta_as_gpu):
    model = Recorder()
    history = fit(model, cpu_loader(), cpu_loader(), epochs=2, device=meta_as_gpu, progress=False,
                  optimizer=torch.optim.Adam(model.parameters()), grad_clip=1.0)
    assert len(history.train_loss) == 2
    assert {p.device for p in model.parameters()} == {META}  # fit moved the model
    assert model.seen and set(model.seen) == {META}  # and every batch, lengths included
    model.seen.clear()
    evaluate(model, cpu_loader())  # the model's device by default
    assert model.seen and set(model.seen) == {META}
    probs, labels = predict(model, cpu_loader())
    assert probs.device.type == labels.device.type == "cpu" and probs.shape == (12, 3)


def meta(*tensors):
    return [t.to(META) for t in tensors]


IDS = torch.randint(3, 20, (4, 7))  # (B, T) token ids; 0-2 are <pad>, <sos>, <eos>
LENGTHS_CPU = torch.tensor([7, 5, 3, 7])  # lengths stay on the CPU, as the loaders give them


def run_textcnn():
    from nlpcourse.models.cnn import TextCNN
    model = TextCNN(20, 8, 3, widths=(2, 3), num_filters=4).to(META)
    ids, = meta(IDS)
    return [model(ids, LENGTHS_CPU), model(ids), *model.feature_maps(ids, LENGTHS_CPU)]


def run_rnn_classifiers():
    from nlpcourse.models.rnn import RNNClassifier
    ids, = meta(IDS)
    outputs = []
    for cell in ("rnn", "lstm", "gru"):
        model = RNNClassifier(20, 6, 3, cell=cell, embedding_dim=5, bidirectional=cell == "gru",
                              num_layers=2 if cell == "lstm" else 1).to(META)
        outputs += [model(ids, LENGTHS_CPU), model(ids)]
    return outputs


def run_feedforward():
    from nlpcourse.models.feedforward import NNLM, DNNClassifier
    x, context = meta(torch.randn(4, 12), IDS[:, :3])
    return [DNNClassifier(12, (8,), 3).to(META)(x), NNLM(20, 3, 4, 8, direct=True).to(META)(context)]


def run_language_models():
    from nlpcourse.models.charlm import CharLM
    from nlpcourse.models.gpt import GPT, GPTConfig
    ids, = meta(IDS)
    charlm = CharLM(20, 8, 16).to(META)
    gpt = GPT(GPTConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, n_embd=8)).to(META)
    return [charlm(ids)[0], charlm.generate(ids, 3, temperature=0), charlm.generate(ids, 2, top_k=5),
            gpt(ids), gpt.generate(ids, 3, temperature=0), gpt.generate(ids, 2, top_p=0.9)]


def run_seq2seq():
    from nlpcourse.models.seq2seq import Seq2Seq
    from nlpcourse.models.transformer import TransformerSeq2Seq
    src, tgt_in = meta(IDS, IDS[:, :5])
    outputs = []
    for attention in (None, "dot", "additive"):
        model = Seq2Seq(20, 20, 8, 16, attention=attention).to(META)
        outputs += [model(src, LENGTHS_CPU, tgt_in), model.greedy_decode(src, LENGTHS_CPU, max_len=4)[0]]
    transformer = TransformerSeq2Seq(20, 20, d_model=8, nhead=2, num_encoder_layers=1,
                                     num_decoder_layers=1, dim_feedforward=16).to(META)
    return outputs + [transformer(src, LENGTHS_CPU, tgt_in),
                      transformer.greedy_decode(src, LENGTHS_CPU, max_len=4)[0]]


def run_attention_and_pooling():
    from nlpcourse.models.attention import MultiHeadAttention, causal_mask, padding_mask
    from nlpcourse.models.bert import mean_pool
    from nlpcourse.models.transformer import TransformerEncoderLayer
    x, = meta(torch.randn(4, 7, 8))
    mask = padding_mask(LENGTHS_CPU.to(META), 7)  # (B, T), built where the lengths are
    attention = MultiHeadAttention(8, 2).to(META)
    layer = TransformerEncoderLayer(8, 2, dim_feedforward=16).to(META)
    return [attention(x, x, x, key_padding_mask=mask)[0], attention(x, x, x, attn_mask=causal_mask(7, META))[0],
            layer(x, key_padding_mask=mask), mean_pool(x, (~mask).long())]


def run_embedding_models():
    from nlpcourse.models.glove import GloVeModel
    from nlpcourse.models.word2vec import SkipGramNS
    center, context, negatives, counts = meta(IDS[:, 0], IDS[:, 1], IDS[:, 2:], torch.rand(4) * 50)
    return [SkipGramNS(20, 8).to(META)(center, context, negatives),
            GloVeModel(20, 8).to(META)(center, context, counts)]


def run_sentence_encoder():
    """encode_texts with the course's WordPiece tokenizer and a tiny random BERT on the device
    (its vectors come back on the CPU by design; the encoder's own run is on the device)."""
    from transformers import BertConfig, BertModel

    from nlpcourse.data import bert_encoder
    from nlpcourse.models.bert import encode_texts
    tokenizer, _ = bert_encoder()
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=8, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=16)
    encoder = BertModel(config).to(META)
    vectors = encode_texts(tokenizer, encoder, ["the flight was late", "thanks!"], batch_size=1)
    assert vectors.shape == (2, 8) and vectors.device.type == "cpu"
    batch = tokenizer(["the flight was late"], return_tensors="pt").to(META)
    return [encoder(**batch).last_hidden_state]


@pytest.mark.parametrize("run", [run_textcnn, run_rnn_classifiers, run_feedforward, run_language_models,
                                 run_seq2seq, run_attention_and_pooling, run_embedding_models,
                                 run_sentence_encoder],
                         ids=lambda f: f.__name__.removeprefix("run_"))
def test_package_models_run_on_the_device_of_their_inputs(run, meta_as_gpu):
    """Every output on the device, and no tensor made on the CPU inside (it would raise)."""
    outputs = run()
    assert outputs and all(isinstance(out, torch.Tensor) for out in outputs)
    assert {out.device for out in outputs} == {META}
