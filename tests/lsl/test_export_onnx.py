"""The live cognitive-load model as ONNX, as eeg-shenanigans deployed it, checked by ONNX
Runtime against PyTorch."""

import json

import numpy as np
import pytest
import torch

from eegdecode.cli import main as eegdecode_main


def test_export_onnx_writes_the_deployed_input_and_honest_logits(workload_model, tmp_path, capsys):
    import onnx
    import onnxruntime

    from eegdecode.training.trained import TrainedModel

    folder, unseen = workload_model
    output = tmp_path / "inference.onnx"
    eegdecode_main(["export-onnx", str(folder), "--output", str(output)])
    check = json.loads(capsys.readouterr().out.split(": ", 1)[1])
    assert check["input"] == ["eeg_input", ["batch", 7, 16, 256]] and check["output"] == "logits"
    assert check["max_abs_difference"] < 1e-4
    session = onnxruntime.InferenceSession(str(output), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["eeg_input"]
    assert session.get_inputs()[0].shape == ["batch", 7, 16, 256]
    # A batch of real spectra (not the export's random ones) gives PyTorch's logits.
    from eegdecode.signal.emotion import chunk_trial
    from eegdecode.signal.workload import cwt_spectrum, filter_recording

    spectra = cwt_spectrum(chunk_trial(filter_recording(unseen["hi"], 128.0), 256), 16)[:5]
    (logits,) = session.run(["logits"], {"eeg_input": spectra})
    model = TrainedModel.load(folder).model.eval()
    with torch.no_grad():
        np.testing.assert_allclose(logits, model(torch.from_numpy(spectra)).numpy(), atol=1e-4)
    metadata = {p.key: p.value for p in onnx.load(str(output)).metadata_props}
    assert json.loads(metadata["eegdecode_features"])["channel_names"][0] == "F7"


def test_export_onnx_refuses_a_model_without_live_features(workload_model, tmp_path):
    from eegdecode.training.trained import TrainedModel

    trained = TrainedModel.load(workload_model[0])
    trained.features = None
    folder = trained.save(tmp_path / "bare")
    with pytest.raises(SystemExit, match="holds no live features; export-onnx exports a deployed"):
        eegdecode_main(["export-onnx", str(folder)])
    assert not (tmp_path / "bare.onnx").exists()
