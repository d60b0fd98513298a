"""The live page of ``eegdecode serve``: the focus bulb, the video whose speed follows the
cognitive load, the stream's state and signal quality, and the focus calibration, in the
browser. It runs the live code of :mod:`eegdecode.lsl`; it re-implements none of it."""
