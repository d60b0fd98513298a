"""FaceEmotionHeads, the face model of the EEG + face fusion system (its heads on a frozen
vision encoder's CLS features)."""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class FaceEmotionHeadsConfig(ModelConfig):
    """Parameters of :class:`FaceEmotionHeads`.

    Parameters
    ----------
    in_features : int
        The encoder's hidden size (1024 for CLIP ViT-L/14, 768 for ViT-B/16).
    num_classes : int
    main_hidden : tuple of int
        Widths of the main classifier (512, 256), each Linear → LayerNorm → GELU → dropout.
    dropout : tuple of float
        Dropout after each hidden layer of the main classifier (0.4, 0.3).
    auxiliary_hidden : int
        Width of the auxiliary classifier's hidden layer (256).
    projection : tuple of int
        Widths of the projection that fusion reads (512, 256), L2-normalised.
    auxiliary_weight : float
        The auxiliary loss's weight: CE(main) + weight · CE(auxiliary) (0.3).
    mixup_alpha : float | None
        Mix training batches (Beta(α, α) weights, both losses on the mixed targets) with
        probability ``mixup_probability``; None: no mixup. The original uses α 0.2.
    mixup_probability : float
    """

    in_features: int
    num_classes: int = 2
    main_hidden: tuple[int, ...] = (512, 256)
    dropout: tuple[float, ...] = (0.4, 0.3)
    auxiliary_hidden: int = 256
    projection: tuple[int, ...] = (512, 256)
    auxiliary_weight: float = 0.3
    mixup_alpha: float | None = None
    mixup_probability: float = 0.5

    def __post_init__(self):
        if len(self.dropout) != len(self.main_hidden):
            raise ValueError(
                f"dropout needs one value per main_hidden layer ({len(self.main_hidden)}), got "
                f"{self.dropout!r}."
            )


class FaceEmotionHeads(PretrainedModel):
    """Main, auxiliary and projection heads on a face embedding.

    The main classifier is what the model predicts with; the auxiliary one (1024 → 256 → 2 in
    the original) only adds its loss in training (:meth:`training_loss`); the projection
    (:meth:`project`) gives the L2-normalised embedding that the fusion model reads. Widths
    follow the encoder's hidden size through ``in_features``.

    Parameters
    ----------
    config : FaceEmotionHeadsConfig
    """

    config_class = FaceEmotionHeadsConfig

    def __init__(self, config: FaceEmotionHeadsConfig):
        super().__init__(config)
        layers: list[nn.Module] = []
        width = config.in_features
        for hidden, dropout in zip(config.main_hidden, config.dropout, strict=True):
            layers += [nn.Linear(width, hidden), nn.LayerNorm(hidden), nn.GELU(),
                       nn.Dropout(dropout)]  # fmt: skip
            width = hidden
        self.classifier = nn.Sequential(*layers, nn.Linear(width, config.num_classes))
        self.auxiliary = nn.Sequential(
            nn.Linear(config.in_features, config.auxiliary_hidden), nn.GELU(),
            nn.Linear(config.auxiliary_hidden, config.num_classes),
        )  # fmt: skip
        projection: list[nn.Module] = []
        width = config.in_features
        for k, hidden in enumerate(config.projection):
            projection.append(nn.Linear(width, hidden))
            if k < len(config.projection) - 1:
                projection.append(nn.GELU())
            width = hidden
        self.projection = nn.Sequential(*projection)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, in_features) → main-classifier logits (batch, num_classes)."""
        return self.classifier(x)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, in_features) → L2-normalised (batch, projection[-1])."""
        return functional.normalize(self.projection(x), dim=-1)

    def training_loss(self, x: torch.Tensor, *, targets: torch.Tensor) -> torch.Tensor:
        """CE(main) + auxiliary_weight · CE(auxiliary), on a mixed batch when mixup draws one.

        The training loop calls this in place of its own loss. The projection is in neither
        loss, as in the original: fusion reads it as a fixed map of the embedding.
        """
        config = self.config
        mix = config.mixup_alpha is not None and bool(torch.rand(()) < config.mixup_probability)
        if mix:
            beta = torch.distributions.Beta(config.mixup_alpha, config.mixup_alpha)
            weight = float(beta.sample())
            order = torch.randperm(len(x), device=x.device)
            x = weight * x + (1 - weight) * x[order]

        def loss(logits):
            value = functional.cross_entropy(logits, targets)
            if mix:
                other = functional.cross_entropy(logits, targets[order])
                value = weight * value + (1 - weight) * other
            return value

        return loss(self.classifier(x)) + config.auxiliary_weight * loss(self.auxiliary(x))
