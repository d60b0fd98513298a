"""ONNX export of a deployed model, checked against PyTorch with ONNX Runtime.

The deployed cognitive-load model (rule ``train_workload_model``) exports with the input of
eeg-shenanigans' ``inference.onnx``, ``eeg_input`` (batch, channels, scales, time), and its
output named for what it is, ``logits`` (the original called them ``class_probabilities``).
The model's live features (rate, channels, clip, scales) and class names go into the file's
metadata as JSON, so a consumer needs nothing else to prepare its input.
"""

import json
import warnings
from pathlib import Path

import numpy as np

from .fileio import atomic_path

INPUT_NAME = "eeg_input"
OUTPUT_NAME = "logits"
# The largest difference from PyTorch's logits that the check accepts.
TOLERANCE = 1e-4


def export_onnx(folder: str | Path, path: str | Path, *, opset: int = 18) -> dict:
    """Write the trained model in ``folder`` as ONNX to ``path`` and check it.

    Parameters
    ----------
    folder : str | Path
        A trained folder with live features (rule ``train_workload_model``).
    path : str | Path
        The ``.onnx`` file to write; written only once the check passes.
    opset : int
        ONNX opset (18; the original exported opset 13).

    Returns
    -------
    check : dict
        The input's shape, the batch sizes run and the largest absolute difference between
        ONNX Runtime's and PyTorch's logits.

    Raises
    ------
    ImportError
        Naming the packages to install, without onnx, onnxscript or onnxruntime.
    ValueError
        For a folder without live features or with an input standardisation (which the
        exported graph would leave out), or outputs that differ from PyTorch's.
    """
    try:
        import onnx
        import onnxruntime
        import onnxscript  # noqa: F401  (the exporter needs it)
    except ImportError as error:
        raise ImportError(
            f"ONNX export needs onnx, onnxscript and onnxruntime ({error}); install them with "
            f"pip install 'eegdecode[onnx]'."
        ) from None
    import torch

    from .training.trained import TrainedModel

    trained = TrainedModel.load(folder)
    features = trained.features
    if not features:
        raise ValueError(
            f"{folder} holds no live features; export-onnx exports a deployed model (rule "
            f"train_workload_model writes one)."
        )
    if any(scaler is not None for scaler in trained.scalers.values()):
        raise ValueError(
            f"{folder} standardises its inputs with saved statistics, which the exported "
            f"graph would leave out."
        )
    shape = (len(features["channel_names"]), features["n_scales"],
             round(features["clip_s"] * features["sfreq"]))  # fmt: skip
    model = trained.model.eval().cpu()
    generator = torch.Generator().manual_seed(0)
    example = torch.randn(2, *shape, generator=generator)
    with atomic_path(path) as temporary, warnings.catch_warnings():
        # The exporter's own deprecation notices, and its note that the LSTM's flattened
        # weights were reassigned while tracing: nothing a user of the file can act on.
        for message in ("_check_is_size will be removed", ".*LeafSpec"):
            warnings.filterwarnings("ignore", message=message, category=FutureWarning)
        warnings.filterwarnings("ignore", message="The tensor attributes", category=UserWarning)
        torch.onnx.export(
            model, (example,), str(temporary), input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME], opset_version=opset, dynamo=True,
            dynamic_shapes={"x": {0: torch.export.Dim("batch")}},
        )  # fmt: skip
        exported = onnx.load(str(temporary))
        onnx.helper.set_model_props(
            exported, {"eegdecode_features": json.dumps(features), "source": str(folder)}
        )
        onnx.save(exported, str(temporary))
        session = onnxruntime.InferenceSession(str(temporary), providers=["CPUExecutionProvider"])
        differences = []
        for batch in (1, 3):
            inputs = torch.randn(batch, *shape, generator=generator)
            (logits,) = session.run([OUTPUT_NAME], {INPUT_NAME: inputs.numpy()})
            with torch.no_grad():
                differences.append(float(np.abs(logits - model(inputs).numpy()).max()))
        if max(differences) > TOLERANCE:
            raise ValueError(
                f"The ONNX export of {folder} differs from PyTorch by {max(differences):.2g} "
                f"(more than {TOLERANCE:g}); nothing was written."
            )
    return {
        "input": [INPUT_NAME, ["batch", *shape]],
        "output": OUTPUT_NAME,
        "opset": opset,
        "batch_sizes": [1, 3],
        "max_abs_difference": max(differences),
    }
