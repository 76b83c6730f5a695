"""nlpcourse.distributed: torchrun with 2 CPU processes (gloo) against one process."""

import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from nlpcourse.distributed import (
    DistributedEnv,
    build_classifier,
    distributed_env,
    main,
    process_group,
    ranks_agree,
    shard_loader,
    unwrap,
    wrap_model,
)
from nlpcourse.train import seed_everything

STEPS, RANK_BATCH, EPOCHS, SEED = 4, 8, 2, 0
# Plain SGD: the update is linear in the gradient, so equal averaged gradients give
# equal weights (Adam's division by the root of the second moment would amplify the
# last-bit differences of gradients near zero).
TRAINING = ["--steps", str(STEPS), "--epochs", str(EPOCHS), "--optimizer", "sgd",
            "--lr", "0.5", "--seed", str(SEED)]
PARITY_ATOL = 1e-5  # observed differences: about 1e-7, from summing in another order
TORCHRUN_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def child_environment():
    """This process's environment without any torchrun variables, one thread per child."""
    env = {k: v for k, v in os.environ.items() if k not in TORCHRUN_VARIABLES}
    env["OMP_NUM_THREADS"] = "1"
    return env


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """Each rank's final weights after torchrun trained with 2 processes x RANK_BATCH."""
    out = tmp_path_factory.mktemp("ddp")
    # --standalone: torchrun's rendezvous takes a free port from the OS, so two pytest
    # workers running this at once cannot collide (a fixed MASTER_PORT could).
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", "nlpcourse.distributed", *TRAINING, "--batch-size", str(RANK_BATCH),
        "--device", "cpu", "--out", str(out),
    ]
    run = subprocess.run(
        command, env=child_environment(), capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"torchrun failed:\n{run.stdout}\n{run.stderr[-4000:]}"
    assert "ranks agree: True" in run.stdout, run.stdout
    return [torch.load(out / f"rank{rank}.pt") for rank in (0, 1)]


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """Final weights of one plain process trained with batches of 2 x RANK_BATCH."""
    out = tmp_path_factory.mktemp("single")
    with pytest.MonkeyPatch.context() as patch:
        for name in TORCHRUN_VARIABLES:
            patch.delenv(name, raising=False)
        main([*TRAINING, "--batch-size", str(2 * RANK_BATCH), "--device", "cpu",
              "--out", str(out)])
    return torch.load(out / "rank0.pt")


def initial_weights(vocab_size):
    seed_everything(SEED)  # as main does right before it builds the model
    return build_classifier(vocab_size).state_dict()


def test_both_ranks_end_with_identical_weights(two_ranks):
    rank0, rank1 = two_ranks
    assert rank0.keys() == rank1.keys()
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name  # bitwise, not just close


def test_training_moved_the_weights(two_ranks):
    trained = two_ranks[0]
    start = initial_weights(trained["embedding.weight"].shape[0])
    for name, weight in trained.items():
        moved = (weight - start[name]).abs().max().item()
        assert moved > 100 * PARITY_ATOL, (name, moved)


def test_two_ranks_equal_one_process_with_twice_the_batch(two_ranks, one_process):
    # Why the same examples meet in each step: both runs shuffle with DistributedSampler
    # and seed + epoch, so they draw the same permutation. Rank r takes its positions
    # r, r + 2, r + 4, ..., so rank 0's k-th batch of 8 and rank 1's k-th batch of 8 are
    # together exactly the k-th batch of 16 of the single process. The loss is a mean,
    # and DDP averages the two ranks' gradients: (g0 + g1) / 2 over two halves of 8 is
    # the gradient of the mean over all 16. Padding differs (each batch pads to its own
    # longest tweet), but the GRU packs its input and never reads the padding.
    rank0 = two_ranks[0]
    start = initial_weights(rank0["embedding.weight"].shape[0])
    assert rank0.keys() == one_process.keys()
    for name in rank0:
        assert torch.allclose(rank0[name], one_process[name], rtol=0, atol=PARITY_ATOL), name
    # The tolerance is far below what training changed, so a wrong average would show.
    update = max((rank0[n] - start[n]).abs().max().item() for n in rank0)
    assert update > 1000 * PARITY_ATOL


def test_shards_are_disjoint_equal_and_make_up_the_double_batches():
    dataset = list(range(40))  # each example is its own index
    shards = [
        shard_loader(dataset, 4, DistributedEnv(rank, rank, 2), seed=3) for rank in (0, 1)
    ]
    whole = shard_loader(dataset, 8, DistributedEnv(), seed=3)
    rank_batches = [[b.tolist() for b in shard] for shard in shards]
    assert len(rank_batches[0]) == len(rank_batches[1]) == len(whole) == 5
    assert sorted(sum(rank_batches[0] + rank_batches[1], [])) == dataset
    for k, batch in enumerate(whole):  # the claim of the parity test above
        assert sorted(rank_batches[0][k] + rank_batches[1][k]) == sorted(batch.tolist())


def test_set_epoch_reshuffles_and_repeats():
    loader = shard_loader(list(range(64)), 8, DistributedEnv(0, 0, 2), seed=0)

    def order(epoch):
        loader.sampler.set_epoch(epoch)
        return torch.cat(list(loader)).tolist()

    assert order(0) == order(0) and order(0) != order(1)


def test_single_process_is_left_alone():
    assert distributed_env({}) == DistributedEnv(0, 0, 1)
    model = nn.Linear(3, 2)
    with process_group(DistributedEnv(), "cpu") as env:
        wrapped = wrap_model(model, env, "cpu")
        assert wrapped is model and unwrap(wrapped) is model and ranks_agree(model)


def test_reads_torchrun_variables():
    environ = {"RANK": "3", "LOCAL_RANK": "1", "WORLD_SIZE": "4",
               "MASTER_ADDR": "node0", "MASTER_PORT": "29500"}
    env = distributed_env(environ)
    assert env == DistributedEnv(3, 1, 4) and not env.is_main and env.is_distributed


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"RANK": "0"}, "LOCAL_RANK, WORLD_SIZE not"),
        ({"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "two"}, "WORLD_SIZE must be an integer"),
        ({"RANK": "2", "LOCAL_RANK": "0", "WORLD_SIZE": "2"}, r"RANK must be in \[0, "),
        ({"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "2"}, "MASTER_ADDR and MASTER_PORT"),
    ],
)
def test_bad_environment_is_a_clear_error(environ, message):
    with pytest.raises(ValueError, match=message):
        distributed_env(environ)


def test_other_bad_input_is_a_clear_error(monkeypatch, capsys):
    with pytest.raises(ValueError, match="nccl backend needs CUDA"):
        with process_group(DistributedEnv(), "cpu", backend="nccl"):
            pass
    with pytest.raises(ValueError, match="not available"):
        with process_group(DistributedEnv(), "cpu", backend="carrier-pigeon"):
            pass
    with pytest.raises(RuntimeError, match="inside process_group"):
        wrap_model(nn.Linear(3, 2), DistributedEnv(0, 0, 2), "cpu")
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        shard_loader(list(range(8)), 0, DistributedEnv())
    with pytest.raises(SystemExit):
        main(["--steps", "0"])
    assert "must be a positive integer" in capsys.readouterr().err
    # A half-set environment stops the command before it reads any data.
    monkeypatch.setenv("RANK", "0")
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with pytest.raises(ValueError, match="Launch with `torchrun"):
        main(["--steps", "1"])


def test_too_many_steps_for_the_data(monkeypatch):
    for name in TORCHRUN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="the training split has 29,735"):
        main(["--steps", "1000", "--batch-size", "64", "--device", "cpu"])

