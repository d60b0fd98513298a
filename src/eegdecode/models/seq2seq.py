"""EEG2Video's Seq2Seq: a clip's window tokens → a transformer → the clip's video latents.

The tokens are either GLMNet's embeddings of the clip's windows, projected linearly (the
pipeline description's design, the fork's ``train_seq2seq_v2.py``), or the raw windows through
an EEGNet embedding (the official ``my_autoregressive_transformer.py``).
"""

from dataclasses import dataclass

import torch
from torch import nn

from .._validation import check_option
from .base import ModelConfig, PretrainedModel, sinusoidal_encoding

DECODINGS = ("autoregressive", "teacher_forcing")
#: What the encoder reads per window: a feature vector, or a (channel, time) window.
SOURCES = ("embeddings", "raw_windows")


@dataclass(frozen=True)
class Seq2SeqConfig(ModelConfig):
    """Parameters of :class:`Seq2Seq`.

    Parameters
    ----------
    n_windows : int
        Windows per clip, the encoder's tokens (7).
    n_frames : int
        Latent frames per clip, decoded one after another (6).
    latent_size : int
        Values per latent frame (4 × 36 × 64 = 9216 for SEED-DV).
    source : 'embeddings' | 'raw_windows'
        ``embeddings``: each window is a vector of ``n_features`` values (GLMNet's 512), mapped to
        ``d_model`` by a linear projection, as the fork. ``raw_windows``: each window is
        ``(n_chans, n_times)`` raw EEG through the official EEGNet embedding.
    n_features : int
        Values per window token (``source='embeddings'`` only).
    n_chans, n_times : int
        EEG channels (62) and samples per window (100: 0.5 s at 200 Hz); ``source='raw_windows'``
        only.
    d_model, n_heads, encoder_layers, decoder_layers, feedforward, dropout
        Transformer sizes (512, 4, 2, 4, 2048, 0.1 in the original; 8 heads and feed-forward
        1024 in the fork).
    decoding : 'teacher_forcing' | 'autoregressive'
        ``teacher_forcing`` (the design, the fork): a linear projection embeds latent frames as
        decoder tokens; training feeds the true frames shifted right by one step behind a zero
        frame, prediction feeds back the predicted frames. ``autoregressive`` (official): the
        decoder's own output tokens are fed back, in training too.
    official_token_offset : bool
        Read frames from decoder tokens 0..n−1, as released, so frame 0 comes from the zero
        start token (the head's bias alone); the default reads tokens 1..n (spec D5). Only with
        ``decoding='autoregressive'``.
    """

    n_windows: int
    n_frames: int
    latent_size: int
    source: str = "embeddings"
    n_features: int = 0
    n_chans: int = 0
    n_times: int = 0
    d_model: int = 512
    n_heads: int = 4
    encoder_layers: int = 2
    decoder_layers: int = 4
    feedforward: int = 2048
    dropout: float = 0.1
    decoding: str = "teacher_forcing"
    official_token_offset: bool = False

    def __post_init__(self):
        check_option("decoding", self.decoding, DECODINGS)
        check_option("source", self.source, SOURCES)
        if self.source == "embeddings" and self.n_features < 1:
            raise ValueError(
                f"source='embeddings' needs the width of a window's embedding, n_features >= 1; "
                f"got {self.n_features}."
            )
        if self.official_token_offset and self.decoding != "autoregressive":
            raise ValueError(
                "official_token_offset=True reproduces the released autoregressive decoder; it "
                f"cannot be combined with decoding={self.decoding!r}."
            )
        if self.source == "raw_windows" and self.n_times < 32:
            raise ValueError(
                f"n_times={self.n_times} is too short for the EEGNet embedding, which needs at "
                f"least 32 samples."
            )


class EEGNetEmbedding(nn.Module):
    """EEGNet-style embedding of one (n_chans, n_times) window into ``d_model`` values.

    Temporal conv (1 → 16, 64 taps, same padding), depthwise spatial conv (→ 64), pool 4,
    separable temporal conv (16 taps) to 16 maps, pool 8, linear to ``d_model``; BatchNorm, ELU
    and dropout 0.5 as in the official ``my_autoregressive_transformer.py`` (spec §4.4).
    """

    def __init__(self, n_chans: int, n_times: int, d_model: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.ZeroPad2d((31, 32, 0, 0)),
            nn.Conv2d(1, 16, (1, 64), bias=False),
            nn.BatchNorm2d(16),
            nn.Conv2d(16, 64, (n_chans, 1), groups=16, bias=False),
            nn.BatchNorm2d(64),
            nn.ELU(),
            nn.AvgPool2d((1, 4)),
            nn.Dropout(0.5),
            nn.ZeroPad2d((7, 8, 0, 0)),
            nn.Conv2d(64, 64, (1, 16), groups=64, bias=False),
            nn.Conv2d(64, 16, (1, 1), bias=False),
            nn.BatchNorm2d(16),
            nn.ELU(),
            nn.AvgPool2d((1, 8)),
            nn.Dropout(0.5),
            nn.Flatten(),
        )
        # 16 maps × (n_times // 4 // 8) steps: 48 for 100-sample windows.
        self.projection = nn.Linear(16 * (n_times // 4 // 8), d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_times) → (batch, d_model)."""
        return self.projection(self.layers(x.unsqueeze(1)))


class Seq2Seq(PretrainedModel):
    """Encode a clip's window tokens, then decode its latent frames one after another.

    The encoder reads one token per window: a linear projection of its embedding
    (``source='embeddings'``) or its EEGNet embedding (``source='raw_windows'``).

    With ``decoding='autoregressive'`` the decoder starts from one zero token; each step runs it
    with a causal mask and appends its last output token, as the released official model does.
    With ``decoding='teacher_forcing'`` the decoder's tokens are embedded latent frames: the true
    ones, shifted right, while training (pass ``targets``), the predicted ones otherwise. A
    linear head maps tokens to latent frames.

    Parameters
    ----------
    config : Seq2SeqConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = Seq2SeqConfig

    def __init__(self, config: Seq2SeqConfig):
        super().__init__(config)
        if config.source == "embeddings":
            self.embedding = nn.Linear(config.n_features, config.d_model)
        else:
            self.embedding = EEGNetEmbedding(config.n_chans, config.n_times, config.d_model)
        self.transformer = nn.Transformer(
            d_model=config.d_model,
            nhead=config.n_heads,
            num_encoder_layers=config.encoder_layers,
            num_decoder_layers=config.decoder_layers,
            dim_feedforward=config.feedforward,
            dropout=config.dropout,
            batch_first=True,
        )
        self.head = nn.Linear(config.d_model, config.latent_size)
        if config.decoding == "teacher_forcing":
            self.frame_projection = nn.Linear(config.latent_size, config.d_model)
        length = max(config.n_windows, config.n_frames + 1)
        self.register_buffer(
            "positions", sinusoidal_encoding(length, config.d_model), persistent=False
        )

    @property
    def trains_with_targets(self) -> bool:
        """Whether the training loop passes ``targets`` to :meth:`forward`."""
        return self.config.decoding == "teacher_forcing"

    def forward(self, windows: torch.Tensor, targets: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, n_windows, n_features) or (batch, n_windows, n_chans, n_times) → (batch,
        n_frames, latent_size).

        ``targets`` (batch, n_frames, latent_size), given while training with teacher forcing,
        stand in for the fed-back predictions.
        """
        batch, n_windows = windows.shape[:2]
        tokens = self.embedding(windows.flatten(0, 1)).unflatten(0, (batch, n_windows))
        memory = self.transformer.encoder(tokens + self.positions[:n_windows])
        if self.config.decoding == "autoregressive":
            decoded = memory.new_zeros(batch, 1, self.config.d_model)
            for _ in range(self.config.n_frames):
                decoded = torch.cat([decoded, self._decode(decoded, memory)[:, -1:]], dim=1)
            frames = decoded[:, :-1] if self.config.official_token_offset else decoded[:, 1:]
            return self.head(frames)
        start = memory.new_zeros(batch, 1, self.config.latent_size)
        if targets is not None:
            previous = torch.cat([start, targets[:, :-1].to(memory.dtype)], dim=1)
            return self.head(self._decode(self.frame_projection(previous), memory))
        frames = start
        for _ in range(self.config.n_frames):
            step = self._decode(self.frame_projection(frames), memory)[:, -1:]
            frames = torch.cat([frames, self.head(step)], dim=1)
        return frames[:, 1:]

    def _decode(self, tokens: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """Run the decoder with a causal mask over ``tokens``."""
        length = tokens.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=tokens.device)
        return self.transformer.decoder(
            tokens + self.positions[:length], memory, tgt_mask=mask, tgt_is_causal=True
        )
