"""The Ray executor of ``milvus_ingest``: Ray Data over the changed files.

    from_items(files) -> flat_map(load_source)            Ray tasks: load + parse, a row per document
                      -> map_batches(DocumentWorker)     Ray actors: chunk, analyse, embed
                      -> iter_rows() on the driver       written to Milvus in batches

``address`` is ``auto`` (join the cluster this machine belongs to, or start a local Ray
with this machine's CPUs), ``local`` (always a private local Ray: tests, benchmarks) or a Ray address (``ray://head:10001``, ``head:6379``). Each
actor takes ``num_cpus=1``, loading tasks none; ``workers`` (default: the cluster's CPUs) bounds the pool.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..errors import AssistantError
from ..settings import Settings
from .pipeline import DocumentWorker, load_source

#: What the workers need to find this code and behave on a shared CPU (docs/scale-out.md).
BLOCK_BYTES = 256 * 1024
_WORKER_ENV = ("PYTHONPATH", "OMP_WAIT_POLICY", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "OMP_NUM_THREADS")


def _ray():
    try:
        import ray
    except ImportError:
        raise AssistantError("--ray needs Ray: pip install 'vn-policy-assistant[scale]'") from None
    return ray


def start(address: str, num_cpus: int | None = None) -> None:
    """Join (or start) the Ray cluster unless this process already has."""
    ray = _ray()
    if ray.is_initialized():
        return
    # A busy machine starts Ray's control store slowly; its default 30 s wait fails there.
    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "180")
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "180")
    env = {k: os.environ[k] for k in _WORKER_ENV if k in os.environ}
    kwargs = {"runtime_env": {"env_vars": env}, "include_dashboard": False, "log_to_driver": False}
    try:
        if address == "auto":
            try:
                ray.init(address="auto", **kwargs)
            except ConnectionError:
                ray.init(num_cpus=num_cpus, **kwargs)
        elif address == "local":  # a private Ray of this process, whatever else runs here
            ray.init(address="local", num_cpus=num_cpus, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise AssistantError(f"cannot start or reach Ray at {address}: {str(exc).splitlines()[0][:300]}") from None


def ray_executor(address: str = "auto", workers: int | None = None, num_cpus: int | None = None):
    def run(tasks: list[dict], settings: Settings) -> Iterator[dict]:
        ray = _ray()
        start(address, num_cpus)
        pool = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        max_bytes = settings.max_file_bytes
        # Small blocks: one JSONL file of thousands of documents must still spread over the
        # pool (a block goes to one actor), and rows stream to the writer as they are done.
        ray.data.DataContext.get_current().target_max_block_size = BLOCK_BYTES
        ds = ray.data.from_items(tasks, override_num_blocks=max(1, len(tasks)))
        # Loading takes no reserved CPU: the embedding actors hold them all, and a task
        # that waited for a free CPU would never run (the pool would starve).
        ds = ds.flat_map(lambda row: load_source(row, max_bytes), num_cpus=0, concurrency=pool)
        ds = ds.map_batches(
            DocumentWorker,
            fn_constructor_kwargs={"settings_json": settings.model_dump_json()},
            batch_size=8,
            batch_format="numpy",
            concurrency=pool,
            num_cpus=1,
        )
        for row in ds.iter_rows():
            yield {k: (v.item() if hasattr(v, "item") and getattr(v, "shape", None) == () else v) for k, v in row.items()}

    run.prepare = lambda: start(address, num_cpus)  # type: ignore[attr-defined]  # before Milvus's gRPC threads exist
    return run
