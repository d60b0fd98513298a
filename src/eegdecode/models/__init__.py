"""Networks, one per file, each built from an explicit config dataclass."""

from .audio_seq2seq import AudioSeq2Seq, AudioSeq2SeqConfig
from .base import ModelConfig, PretrainedModel
from .bilstm import BiLSTM, BiLSTMConfig
from .ccnn import CCNN, CCNNConfig
from .eeg_lstm import EEGLSTMEncoder, EEGLSTMEncoderConfig
from .face_emotion import FaceEmotionClassifier, FaceEmotionHeads, FaceEmotionHeadsConfig
from .frame_classifier import FrameClassifier, FrameClassifierConfig
from .glfnet import GLFNet, GLFNetConfig
from .glfnet_mlp import GLFNetMLP, GLFNetMLPConfig
from .glmnet import GLMNet, GLMNetConfig
from .linear_mel import LinearMelDecoder, LinearMelDecoderConfig
from .mlpnet import MLPNet, MLPNetConfig
from .saliency_gan import (
    SaliencyDiscriminator,
    SaliencyDiscriminatorConfig,
    SaliencyGenerator,
    SaliencyGeneratorConfig,
)
from .semantic import SemanticPredictor, SemanticPredictorConfig
from .seq2seq import Seq2Seq, Seq2SeqConfig
from .shallownet import ShallowNet, ShallowNetConfig
from .sst_emotionnet import SSTEmotionNet, SSTEmotionNetConfig
from .waveglow import (
    WaveGlow,
    WaveGlowConfig,
    build_tiny_waveglow,
    load_waveglow_checkpoint,
    save_waveglow_checkpoint,
)

# Every saved model names its class in config.json; loading finds the class here.
MODEL_CLASSES = {
    model.__name__: model
    for model in (
        AudioSeq2Seq,
        BiLSTM,
        CCNN,
        EEGLSTMEncoder,
        FaceEmotionHeads,
        FrameClassifier,
        GLFNet,
        GLFNetMLP,
        GLMNet,
        LinearMelDecoder,
        MLPNet,
        SaliencyDiscriminator,
        SaliencyGenerator,
        SemanticPredictor,
        Seq2Seq,
        ShallowNet,
        SSTEmotionNet,
        WaveGlow,
    )
}

__all__ = [
    "CCNN",
    "MODEL_CLASSES",
    "AudioSeq2Seq",
    "AudioSeq2SeqConfig",
    "BiLSTM",
    "BiLSTMConfig",
    "CCNNConfig",
    "EEGLSTMEncoder",
    "EEGLSTMEncoderConfig",
    "FaceEmotionClassifier",
    "FaceEmotionHeads",
    "FaceEmotionHeadsConfig",
    "FrameClassifier",
    "FrameClassifierConfig",
    "GLFNet",
    "GLFNetConfig",
    "GLFNetMLP",
    "GLFNetMLPConfig",
    "GLMNet",
    "GLMNetConfig",
    "LinearMelDecoder",
    "LinearMelDecoderConfig",
    "MLPNet",
    "MLPNetConfig",
    "ModelConfig",
    "PretrainedModel",
    "SSTEmotionNet",
    "SSTEmotionNetConfig",
    "SaliencyDiscriminator",
    "SaliencyDiscriminatorConfig",
    "SaliencyGenerator",
    "SaliencyGeneratorConfig",
    "SemanticPredictor",
    "SemanticPredictorConfig",
    "Seq2Seq",
    "Seq2SeqConfig",
    "ShallowNet",
    "ShallowNetConfig",
    "WaveGlow",
    "WaveGlowConfig",
    "build_tiny_waveglow",
    "load_waveglow_checkpoint",
    "save_waveglow_checkpoint",
]
