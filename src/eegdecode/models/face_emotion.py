"""The face model of the EEG + face fusion system: :class:`FaceEmotionHeads` on a frozen
vision encoder's CLS features (the original as it ran), and :class:`FaceEmotionClassifier`,
the heads on an encoder whose last blocks are fine-tuned (the original's declared model)."""

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


class FaceEmotionClassifier(nn.Module):
    """A vision encoder's CLS embedding averaged over a trial's face crops, and
    :class:`FaceEmotionHeads` on that mean; the encoder's last blocks train with the heads.

    Parameters
    ----------
    encoder : VisionEncoder
        :func:`~eegdecode.stimulus.pretrained.load_vision_encoder`'s result; its blocks after
        the first ``frozen_layers`` (and its final norm) are made trainable.
    heads : FaceEmotionHeads
        Of ``in_features`` the encoder's hidden size.
    frozen_layers : int
        Transformer blocks frozen with the patch embeddings (the original: 4, 8 in its log).
    backbone_lr_scale : float
        The encoder's learning rate relative to the heads' (the original: 0.1).
    """

    def __init__(self, encoder, heads: FaceEmotionHeads, *, frozen_layers: int,
                 backbone_lr_scale: float = 0.1):  # fmt: skip
        super().__init__()
        if heads.config.in_features != encoder.hidden_size:
            raise ValueError(
                f"The heads read {heads.config.in_features} features, the encoder gives "
                f"{encoder.hidden_size}."
            )
        encoder.unfreeze_after(frozen_layers)
        self.vision_encoder = encoder
        # Registered so that the encoder's weights move, train and checkpoint with the heads.
        self.backbone = encoder.model
        self.heads = heads
        self.backbone_lr_scale = backbone_lr_scale

    def embed(self, pixels: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Prepared crops (batch, crops, 3, s, s) and their weights (batch, crops: 1 for a
        crop, 0 for padding) → the mean CLS embedding of each trial (batch, hidden)."""
        batch, crops = weights.shape
        cls = self.vision_encoder.cls_embedding(pixels.flatten(0, 1)).view(batch, crops, -1)
        weights = weights.to(cls.dtype).unsqueeze(-1)
        return (cls * weights).sum(1) / weights.sum(1).clamp_min(1)

    def forward(self, pixels: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Main-classifier logits (batch, num_classes) of each trial's crops."""
        return self.heads(self.embed(pixels, weights))

    def training_loss(self, pixels, weights, *, targets: torch.Tensor) -> torch.Tensor:
        """The heads' loss (:meth:`FaceEmotionHeads.training_loss`) on the trial embeddings."""
        return self.heads.training_loss(self.embed(pixels, weights), targets=targets)

    def parameter_groups(self, lr: float) -> list[dict]:
        """The optimiser's groups: the encoder's trainable weights at ``backbone_lr_scale · lr``,
        the heads' at ``lr``."""
        backbone = [p for p in self.backbone.parameters() if p.requires_grad]
        return [{"params": backbone, "lr": lr * self.backbone_lr_scale},
                {"params": list(self.heads.parameters()), "lr": lr}]  # fmt: skip
