"""What this machine's CPU computes natively, so each model can pick its fastest faithful precision."""

from __future__ import annotations

from functools import lru_cache

import torch


@lru_cache(maxsize=1)
def native_bfloat16() -> bool:
    """Whether the CPU has bfloat16 matrix units (x86: AMX or AVX512-BF16), where bf16 runs 2× faster than float32.

    Elsewhere bf16 is emulated and slower than float32, so callers fall back to float32. On other architectures
    oneDNN's own bf16 check decides.
    """
    try:
        capabilities = torch.cpu.get_capabilities()
        if "amx_bf16" in capabilities or "avx512_bf16" in capabilities:
            return bool(capabilities.get("amx_bf16") or capabilities.get("avx512_bf16"))
    except (AttributeError, RuntimeError):
        pass
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
