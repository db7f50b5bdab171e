"""Exports the authors' model (torch_reference.Model) to ONNX with torch.onnx.export, the way a
researcher would: a model trained elsewhere, with our interface but PyTorch's own parameter names
and graph. Usage: torch_export.py CASE_DIR OUT.onnx [--initializers-as-inputs]

CASE_DIR holds config.json (the model config and our parameter layout) and params.npy."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_reference import Model, torch_tensor_of  # noqa: E402


def main(case_dir, out, as_inputs):
    with open(os.path.join(case_dir, "config.json")) as f:
        cfg = json.load(f)
    flat = np.load(os.path.join(case_dir, "params.npy")).astype(np.float32)
    model = Model(cfg)
    named = dict(model.named_parameters())
    with torch.no_grad():
        for spec in cfg["params"]:
            tname, transpose = torch_tensor_of(cfg, spec["name"])
            ours = flat[spec["offset"] : spec["offset"] + spec["size"]].reshape(spec["shape"])
            named[tname].copy_(torch.from_numpy(np.ascontiguousarray(ours.T if transpose else ours)))
    model.eval()
    example = torch.zeros((2, cfg["T"]), dtype=torch.int64)
    torch.onnx.export(
        model,
        (example,),
        out,
        input_names=["tokens"],
        output_names=["logits", "attention", "z_attn"],
        dynamic_axes={"tokens": {0: "batch"}, "logits": {0: "batch"}, "attention": {0: "batch"}, "z_attn": {0: "batch"}},
        opset_version=14,
        keep_initializers_as_inputs=as_inputs,
    )
    print(f"exported with torch {torch.__version__} to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--initializers-as-inputs" in sys.argv)
