"""Lab Streaming Layer: recording calibration sessions with their clock relation, a simulated
headset, live focus inference, and XDF import."""

from .live import FocusModelSelector, RingBuffer, focus_model_paths, predict_focus, run_live
from .recorder import MARKER_STREAM, ProtocolStep, TerminalDisplay, record_session, resolve_stream
from .session import (
    CalibrationSession,
    ClockRelation,
    Phase,
    cut_phases,
    dejitter,
    find_gaps,
)
from .simulate import SimulatedHeadset, simulate_session

__all__ = [
    "MARKER_STREAM",
    "CalibrationSession",
    "ClockRelation",
    "FocusModelSelector",
    "Phase",
    "ProtocolStep",
    "RingBuffer",
    "SimulatedHeadset",
    "TerminalDisplay",
    "cut_phases",
    "dejitter",
    "find_gaps",
    "focus_model_paths",
    "predict_focus",
    "record_session",
    "resolve_stream",
    "run_live",
    "simulate_session",
]
