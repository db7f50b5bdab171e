"""Exports the authors' model (torch_reference.Model) to ONNX with torch.onnx.export, the way a
researcher would: a model trained elsewhere, with our interface but PyTorch's own parameter names
and graph. Usage: torch_export.py CASE_DIR OUT.onnx [--initializers-as-inputs] [--dynamic-all] [--opset N]
                      [--float16] [-- OUT2.onnx [flags] …]

--dynamic-all makes every dimension of every input and output symbolic (as a researcher's
`dynamic_axes` often does), --opset picks the opset, and --float16 stores the weights as float16
initializers behind Cast nodes, as float16 converters do.

CASE_DIR holds config.json (the model config and our parameter layout) and params.npy."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_reference import Model, torch_tensor_of  # noqa: E402


def to_float16_weights(path):
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(path)
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + "_fp16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.save(model, path)


def main(case_dir, out, as_inputs, dynamic_all, opset, float16):
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
        dynamic_axes=(
            {"tokens": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "vocab"}, "attention": {0: "batch", 1: "seq"}, "z_attn": {0: "batch", 1: "width"}}
            if dynamic_all
            else {"tokens": {0: "batch"}, "logits": {0: "batch"}, "attention": {0: "batch"}, "z_attn": {0: "batch"}}
        ),
        opset_version=opset,
        keep_initializers_as_inputs=as_inputs,
    )
    if float16:
        to_float16_weights(out)
    print(f"exported with torch {torch.__version__} to {out}")


if __name__ == "__main__":
    # Several exports in one call (PyTorch takes seconds to import): OUT [FLAGS] [-- OUT [FLAGS]]…
    rest = sys.argv[2:]
    while rest:
        cut = rest.index("--") if "--" in rest else len(rest)
        out, flags, rest = rest[0], rest[1:cut], rest[cut + 1 :]
        opset = int(flags[flags.index("--opset") + 1]) if "--opset" in flags else 14
        main(sys.argv[1], out, "--initializers-as-inputs" in flags, "--dynamic-all" in flags, opset, "--float16" in flags)
