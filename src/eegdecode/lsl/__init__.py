"""Lab Streaming Layer: recording calibration sessions with their clock relation, a simulated
headset, live focus inference, and XDF import."""

import lazy_loader

# Submodules load on first use (see eegdecode/__init__.py): the workflow checks sessions at parse
# time through `session`, which must not import torch with the focus model of `live`.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "live": [
            "FocusModelSelector",
            "LiveDecoder",
            "LivePrediction",
            "RingBuffer",
            "focus_model_paths",
            "predict_focus",
            "run_live",
        ],
        "calibration": [
            "check_name",
            "pointer_file",
            "run_finetune",
            "session_file",
        ],
        "recorder": [
            "MARKER_STREAM",
            "ProtocolStep",
            "TerminalDisplay",
            "record_session",
            "resolve_stream",
        ],
        "session": [
            "CalibrationSession",
            "ClockRelation",
            "Phase",
            "cut_phases",
            "dejitter",
            "find_gaps",
        ],
        "simulate": ["SimulatedHeadset", "simulate_session"],
    },
)
