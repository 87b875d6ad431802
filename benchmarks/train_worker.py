"""One training run in a fresh process: ``python -m benchmarks.train_worker '{JSON}'``.

Every run of parts 2–3 gets its own interpreter, so its peak memory is its own (the
allocator keeps no memory from an earlier run) and no run warms caches for the next.
The last line printed is a JSON object with the per-epoch history and the memory.

A short warm-up training on 12 small lists runs first, so torch's one-time set-up
(kernel selection, thread pools) counts neither in the memory nor in epoch 1's time.

Memory: on the CPU, the peak resident set size (``VmHWM`` of ``/proc/self/status``)
above the resident size just before training starts (data built, torch warmed up),
i.e. what the training run itself added at its peak; RSS, not ``tracemalloc``,
because tracemalloc does not see torch's tensor memory.  On CUDA,
``torch.cuda.max_memory_allocated`` during training.
"""

from __future__ import annotations

import gc
import json
import sys
import time


class _Reached(Exception):
    """Raised by the epoch callback to stop a time-to-accuracy run at the target."""


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def run(spec: dict) -> dict:
    import torch

    from rmteach.data.generate import make_preference_data
    from rmteach.model.training import train

    data_kwargs = dict(spec.get("data", {}))
    data = make_preference_data(**data_kwargs)
    device = spec.get("device", "cpu")
    target = spec.get("target")
    records = []
    t_start = time.perf_counter()
    reached = {}

    def callback(rec):
        records.append({"epoch": rec.epoch, "seconds": rec.seconds,
                        "eval_seconds": rec.eval_seconds,
                        "wall_since_start": time.perf_counter() - t_start,
                        "forward_passes": rec.forward_passes,
                        "heldout_accuracy": rec.heldout_accuracy,
                        "heldout_log_loss": rec.heldout_log_loss,
                        "heldout_loss": rec.heldout_loss,
                        "train_accuracy": rec.train_accuracy})
        if target is not None and rec.heldout_accuracy >= target and not reached:
            reached["epoch"] = rec.epoch
            raise _Reached
        cap = spec.get("max_train_s")
        if cap is not None and sum(r["seconds"] for r in records) >= cap:
            raise _Reached          # gave up: the cap on training time is spent

    cuda = str(device).startswith("cuda")
    # Warm-up on a few lists: torch's one-time set-up (kernels, thread pools, allocator)
    # is then neither in the peak memory nor in the first epoch's time.
    warm = make_preference_data(12, min_n=2, max_n=4, seed=1)
    train(warm, loss=spec["loss"], mode=spec["mode"], epochs=1, device=device, progress=False,
          eval_train=False)
    gc.collect()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    reset_ok = _reset_peak()
    rss_before = _status_kib("VmRSS")
    t_start = time.perf_counter()
    try:
        result = train(data, loss=spec["loss"], mode=spec["mode"], epochs=spec["epochs"],
                       seed=spec.get("seed", 0), device=device, progress=False,
                       eval_train=spec.get("eval_train", True),
                       **({"batch_size": spec["batch_size"]} if spec.get("batch_size") else {}),
                       callback=callback)
        used_device = result.device
        params = result.param_counts
    except _Reached:
        used_device, params = str(device), None
    wall = time.perf_counter() - t_start
    hwm = _status_kib("VmHWM")
    out = {
        "spec": spec,
        "device": used_device,
        "records": records,
        "wall_s": wall,
        "params": params,
        "train_lists": len(data.train),
        "train_pairs": sum(x.n * (x.n - 1) // 2 for x in data.train),
        "reached_epoch": reached.get("epoch"),
        "torch_threads": torch.get_num_threads(),
    }
    if cuda:
        out["peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
        out["memory_method"] = "torch.cuda.max_memory_allocated during training"
    elif reset_ok and hwm is not None and rss_before is not None:
        out["peak_mib"] = (hwm - rss_before) / 1024
        out["memory_method"] = "peak RSS (VmHWM) during training minus RSS before it"
    else:
        out["peak_mib"] = None
        out["memory_method"] = "unavailable (no /proc/self/clear_refs)"
    return out


def main() -> int:
    spec = json.loads(sys.argv[1])
    print(json.dumps(run(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
