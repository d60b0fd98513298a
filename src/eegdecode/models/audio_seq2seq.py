"""BrainKaraoke's RNN encoder-decoder: high-gamma windows → log-mel frames (brain-to-audio
spec §6)."""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from .base import ModelConfig, PretrainedModel, sinusoidal_encoding


@dataclass(frozen=True)
class AudioSeq2SeqConfig(ModelConfig):
    """Parameters of :class:`AudioSeq2Seq`; the defaults are the reference model's.

    Parameters
    ----------
    n_channels : int
        sEEG contacts.
    n_frames : int
        Mel frames decoded per window (35 for a 0.4 s target at hop 256 and 22,050 Hz).
    n_mels : int
        Mel bins (80).
    conv_channels, conv_kernels : tuple of int
        The three strided convolutions of the front end (50, 75, 100; kernels 25, 11, 5).
    conv_stride : int
        Their stride (3); a max-pool of 2 follows.
    positional_dim : int
        Width of the sinusoidal encodings concatenated to the encoder's and the decoder's
        inputs (32).
    hidden : int
        GRU width (333).
    encoder_layers : int
        Bidirectional GRU layers (3).
    dropout : float
        Dropout everywhere (0.1); the prenet's stays on at inference, as in Tacotron 2.
    prenet_dim : int
        Width of the two prenet layers (256).
    attention_filters, attention_kernel : int
        Location features: filters and kernel over the previous and cumulative weights (32, 31).
    postnet_channels, postnet_layers, postnet_kernel : int
        Residual postnet (256, 5, 5), applied to each frame on its own as in the reference.
    teacher_forcing : float
        Probability, per training sequence, of feeding the true previous frame (0.1).
    flip_time : bool
        Reverse the input's time axis first (the reference does).
    """

    n_channels: int
    n_frames: int
    n_mels: int = 80
    conv_channels: tuple[int, int, int] = (50, 75, 100)
    conv_kernels: tuple[int, int, int] = (25, 11, 5)
    conv_stride: int = 3
    positional_dim: int = 32
    hidden: int = 333
    encoder_layers: int = 3
    dropout: float = 0.1
    prenet_dim: int = 256
    attention_filters: int = 32
    attention_kernel: int = 31
    postnet_channels: int = 256
    postnet_layers: int = 5
    postnet_kernel: int = 5
    teacher_forcing: float = 0.1
    flip_time: bool = True


class LocationSensitiveAttention(nn.Module):
    """Tacotron 2's hybrid attention: content plus the previous and cumulative alignments."""

    def __init__(self, hidden: int, filters: int, kernel: int):
        super().__init__()
        self.query = nn.Linear(hidden, hidden, bias=False)
        self.location_conv = nn.Conv1d(2, filters, kernel, padding=kernel // 2, bias=False)
        self.location = nn.Linear(filters, hidden, bias=False)
        self.energy = nn.Linear(hidden, 1, bias=False)

    def forward(self, query, keys, previous, cumulative):
        """query (B, H), keys (B, T, H), alignments (B, T) → context (B, H), weights (B, T)."""
        locations = self.location(
            self.location_conv(torch.stack([previous, cumulative], dim=1)).transpose(1, 2)
        )
        energies = self.energy(torch.tanh(self.query(query)[:, None] + keys + locations))
        weights = torch.softmax(energies.squeeze(-1), dim=-1)
        return torch.bmm(weights[:, None], keys).squeeze(1), weights


class AudioSeq2Seq(PretrainedModel):
    """Convolutional front end and bidirectional GRU encoder, location-sensitive attention,
    GRU decoder with prenet, and a residual postnet.

    ``forward(seeg, targets=None)`` maps (batch, n_channels, n_times) to (batch, n_frames,
    n_mels). In training, pass ``targets`` so that each sequence is teacher-forced with
    probability ``teacher_forcing``; otherwise every step feeds back its own prediction.
    """

    config_class = AudioSeq2SeqConfig
    trains_with_targets = True

    def __init__(self, config: AudioSeq2SeqConfig):
        super().__init__(config)
        c = config
        layers, previous = [], c.n_channels
        for channels, kernel in zip(c.conv_channels, c.conv_kernels, strict=True):
            layers += [nn.Conv1d(previous, channels, kernel, stride=c.conv_stride),
                       nn.BatchNorm1d(channels), nn.ELU()]  # fmt: skip
            previous = channels
        self.front_end = nn.Sequential(*layers, nn.MaxPool1d(2))
        self.encoder = nn.GRU(
            previous + c.positional_dim, c.hidden, num_layers=c.encoder_layers,
            batch_first=True, bidirectional=True, dropout=c.dropout,
        )  # fmt: skip
        self.bridge = nn.Linear(2 * c.encoder_layers * c.hidden, c.hidden)
        self.keys = nn.Linear(2 * c.hidden, c.hidden)
        self.attention = LocationSensitiveAttention(c.hidden, c.attention_filters,
                                                    c.attention_kernel)  # fmt: skip
        self.prenet = nn.ModuleList(
            [nn.Linear(c.n_mels, c.prenet_dim, bias=False),
             nn.Linear(c.prenet_dim, c.prenet_dim, bias=False)]
        )  # fmt: skip
        self.decoder = nn.GRUCell(c.prenet_dim + c.positional_dim + c.hidden, c.hidden)
        self.output = nn.Sequential(
            nn.Linear(2 * c.hidden, c.hidden), nn.ELU(), nn.Dropout(c.dropout),
            nn.Linear(c.hidden, c.n_mels),
        )  # fmt: skip
        postnet, width = [], c.n_mels
        for layer in range(c.postnet_layers):
            out = c.n_mels if layer == c.postnet_layers - 1 else c.postnet_channels
            postnet += [nn.Conv1d(width, out, c.postnet_kernel, padding=c.postnet_kernel // 2),
                        nn.BatchNorm1d(out)]  # fmt: skip
            if layer < c.postnet_layers - 1:
                postnet.append(nn.Tanh())
            width = out
        self.postnet = nn.Sequential(*postnet)

    def _prenet(self, frame: torch.Tensor) -> torch.Tensor:
        for layer in self.prenet:
            frame = functional.dropout(functional.elu(layer(frame)), self.config.dropout,
                                       training=True)  # fmt: skip
        return frame

    def encode(self, seeg: torch.Tensor):
        """(B, channels, times) → projected keys (B, T, H) and the decoder's first state."""
        if self.config.flip_time:
            seeg = seeg.flip(-1)
        features = self.front_end(seeg).transpose(1, 2)  # (B, T, conv channels)
        steps = features.shape[1]
        encoding = sinusoidal_encoding(steps, self.config.positional_dim).to(features)
        features = torch.cat([features, encoding.expand(len(features), -1, -1)], dim=-1)
        outputs, final = self.encoder(functional.dropout(features, self.config.dropout,
                                                         self.training))  # fmt: skip
        state = torch.tanh(self.bridge(final.transpose(0, 1).flatten(1)))
        return self.keys(outputs), state

    def forward(self, seeg: torch.Tensor, targets: torch.Tensor | None = None) -> torch.Tensor:
        c = self.config
        keys, state = self.encode(seeg)
        batch, steps = keys.shape[:2]
        forced = None
        if targets is not None and self.training and c.teacher_forcing > 0:
            forced = torch.rand(batch, device=keys.device) < c.teacher_forcing
        encoding = sinusoidal_encoding(c.n_frames, c.positional_dim).to(keys)
        previous_frame = keys.new_zeros(batch, c.n_mels)
        previous = keys.new_zeros(batch, steps)
        cumulative = keys.new_zeros(batch, steps)
        frames = []
        for step in range(c.n_frames):
            context, previous = self.attention(state, keys, previous, cumulative)
            cumulative = cumulative + previous
            decoder_input = torch.cat(
                [self._prenet(previous_frame), encoding[step].expand(batch, -1), context], dim=-1
            )
            state = self.decoder(decoder_input, state)
            frame = self.output(torch.cat([state, context], dim=-1))
            frames.append(frame)
            previous_frame = frame
            if forced is not None:
                previous_frame = torch.where(forced[:, None], targets[:, step], frame)
        mel = torch.stack(frames, dim=1)  # (B, n_frames, n_mels)
        # The reference runs the postnet on each frame as a sequence of length one.
        per_frame = mel.reshape(-1, c.n_mels, 1)
        return mel + self.postnet(per_frame).reshape(mel.shape)
