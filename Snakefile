# eegdecode: decode EEG into video, audio and mental states.
#
# Run from the repository root:  snakemake eeg2video_all --cores 8
#
# results/<dataset>/
#   raw/                      the demo dataset in the SEED-DV layout (demo only)
#   clips/sub<N>.h5           segment          2 s clips (block, concept, rep, channel, time)
#   windows/sub<N>_<w>.h5     sliding_windows  (block, concept, rep, window, channel, time), w = 500ms | 1s
#   features/sub<N>_<w>.h5    de_psd           de, psd (..., channel, band), w = 2s (whole clips) | 500ms | 1s
#   qc/sub<N>_features.png    plot_feature_qc  topomaps and spectra, in the report
#   stimulus/gifs/block<b>/<k>.gif   extract_gifs  6 frames per clip at 3 fps, k = 0..n_clips-1
#   stimulus/frames/block<b>.h5      extract_gifs  frames (clip, frame, height, width, rgb) uint8
#   pretrained/fitted_vae/vae/       fit_tiny_vae  the tiny VAE trained on the frames (demo only),
#                                                  its loss in qc/tiny_vae_fit.png
#   stimulus/latents/block<b>.h5     vae_latents   (clip, frame, latent_channel, height, width)
#   stimulus/text_embeddings/block<b>.h5  caption_embeddings  (clip, token, feature)
#   qc/block<b>_frames.png    plot_stimulus_frames  one frame strip per concept
#   eegvp/sub<N>.json         eegvp            per task and fold: top-1, top-5, chance levels
#   eegvp/summary.{csv,png}   eegvp_summary    mean ± std over subjects beside chance
#   models/<m>/sub<N>/        train_<m>        config.json, model.safetensors, normalization.json,
#                                              m = glmnet | semantic | dynamic | seq2seq; beside it
#                                              sub<N>_metrics.csv, and qc/sub<N>_<m>_learning.png
#   embeddings/sub<N>_glmnet.h5  glmnet_embeddings  (block, concept, rep, window, feature)
#   predictions/sub<N>_semantic.h5   train_semantic  test block, class order (class, rep, token, feature)
#   predictions/sub<N>_fast_slow.h5  train_dynamic   test block, class order (class, rep)
#   predictions/sub<N>_latents.h5    train_seq2seq   test block, class order (class, rep, frame, ...)
#   predictions/sub<N>_dana.h5       dana            the sampler's initial latents (full mode)
#   models/video_diffusion/          finetune_video_diffusion  unet/, scheduler/, negative_embedding;
#                                    its loss in video_diffusion_metrics.csv and qc/
#   models/clip_classifier/          train_clip_classifier  the demo's N-way classifier (demo only)
#   generated/sub<N>_<mode>.h5 + /   generate        clips in class order, {i}.gif and {i}.mp4
#   evaluation/sub<N>_<mode>.json    evaluate_generation  SSIM, N-way accuracy beside chance;
#                                    frames beside the truth in qc/sub<N>_<mode>_generated.png
#   evaluation/summary.{csv,png}     evaluation_summary   mean ± std over subjects per mode
#   report/sub<N>_generated.html     generation_page  shown clips beside every mode's, with the metrics
#   checkpoints/<stage>/.../<code>/  resumable training state, one folder per code version
#   benchmarks/<rule>/               run time and memory per job
# results/pretrained/tiny-stable-diffusion/   build_tiny_stable_diffusion (demo only)
# results/<dataset>-null/    the demo's null twin (validation_all): raw/EEG/ from
#                            generate_null_demo_eeg, then the stages above that read the EEG
#                            (clips to evaluation/); the rest it reads from results/<dataset>/
#
# results/<audio name>/      sEEG → audio (rules/audio.smk), per participant <p>
#   raw/<p>/seeg.npy, audio.wav      generate_demo_speech   the paired demo recordings
#   aligned/<p>.h5                   align_recording   seeg (channel, time), audio (time) at 22,050 Hz
#   features/<p>_highgamma.h5        highgamma         envelope (channel, time)
#   features/<p>_mel.h5              mel               log_mel (frame, mel)
#   models/audio_seq2seq/<p>/        train_audio_seq2seq  config.json, model.safetensors, normalization.json
#                                                     beside it <p>_metrics.csv; qc/<p>_learning.png
#   predictions/<p>_mel.h5           train_audio_seq2seq  test windows: predicted, target (window, frame, mel)
#   audio/<p>/                       vocode           {recorded,resynthesised,decoded}.wav, utterances/
#   evaluation/<p>.json              evaluate_audio   Pearson r, MCD beside chance; qc/<p>_mel.png
#   report/<p>_audio.html            evaluate_audio   the utterances, playable in the report
#   evaluation/summary.csv           audio_summary    the correlation table
#   checkpoints/, benchmarks/        as above
# results/pretrained/tiny-waveglow/  build_tiny_waveglow (with audio.vocoder.tiny_waveglow, tests)
#
# Focus calibration (rules/calibration.smk)
#   results/focus/demo-records/eeg_record<N>.mat  generate_demo_focus  the Kaggle layout (demo only)
#   results/focus/base/ + base_metrics.json       train_focus_base     focused-vs-rest logistic model
#   results/calibration/<user>/<session>/session.h5   eegdecode record (not a rule)
#   results/calibration/<user>/<session>/windows.h5   calibration_windows  labelled phases at 128 Hz
#   results/focus/users/<user>/<version>/         finetune_focus       one version per set of sessions
#                                                 and <version>_metrics.json beside it
#   results/focus/users/<user>/current.json       select_focus_model   the version live inference uses
#
# Emotion (DREAMER) and cognitive load (STEW), rules/mental_state.smk; <task> = emotion | workload
#   results/emotion/<d>/DREAMER.mat      generate_demo_dreamer  the published nesting (demo only)
#   results/workload/<d>/raw/            generate_demo_stew     subNN_lo.txt, subNN_hi.txt, ratings.txt
#   results/<task>/<d>/segments/<m>.h5   emotion_segments | workload_segments  model m's inputs
#                                        (segment, ...), labels, subjects, trials
#   results/<task>/<d>/evaluation/<m>_<protocol>.json  evaluate_mental_state  per fold and mean ± std
#                                        beside chance; confusion matrix in qc/<m>_<protocol>_confusion.png
#   results/<task>/summary.csv           mental_state_summary   one row per dataset, model, protocol
#
# EEG + face fusion on DEAP (rules/fusion.smk), per participant sNN
#   results/fusion/<d>/raw/              generate_demo_deap   the release's layout (demo only)
#   results/pretrained/tiny-vit/         build_tiny_vision_encoder  (fusion.vision_encoder: null)
#   results/fusion/<d>/faces/sNN_crops.h5       detect_faces     crops (crop, y, x, rgb), trial, frame, box
#   results/fusion/<d>/faces/<frozen|finetuned_T>/sNN_embeddings.h5  face_embeddings  embedding (trial, feature), has_face
#   results/fusion/<d>/eeg/sNN.h5        eeg_differential_entropy  de (video, channel, band), labels
#   results/fusion/<d>/face_encoder/<target>/  finetune_face_encoder  a vision-encoder folder + finetuning.json (frozen_layers set)
#   results/fusion/<d>/evaluation/<target>_<protocol>.json  evaluate_fusion  EEG, face, fusion per fold
#   results/fusion/summary.{csv,png}     fusion_summary       one row per dataset, target, protocol, model
# NeuroImagen, EEG → image on EEG-ImageNet (rules/eeg2image.smk), per dataset <d>
#   results/eeg2image/<d>/raw/           generate_demo_eeg_imagenet  the release's layout (demo only)
#   results/eeg2image/<d>/stimuli.h5     eeg2image_stimuli    images (image, height, width, rgb), image_labels,
#                                        caption_embeddings (class, token, feature)
#   results/eeg2image/<d>/segments/embeddings.h5  train_eeg2image_encoder  f_θ (segment, feature), with
#                                        each segment's labels, images, subjects, positions, parts
#   results/eeg2image/<d>/segments/saliency.h5    train_saliency_gan       (segment, height, width, rgb);
#                                        test segments' maps beside their images in qc/saliency.png
#   results/eeg2image/<d>/segments/captions.h5    train_caption_regressor  (segment, token, feature)
#   results/eeg2image/<d>/models/<m>/    encoder | caption_regressor | saliency_generator |
#                                        image_diffusion | image_classifier (demo)
#   results/eeg2image/<d>/reconstructions/strength.json, <branch>.h5  select_strength, reconstruct_images;
#                                        one PNG per test segment in <branch>/
#   results/eeg2image/<d>/evaluation.json  evaluate_eeg2image  per branch, and the time-only baseline;
#                                        seen beside reconstructed images in qc/reconstructions.png
#   results/eeg2image/summary.csv        eeg2image_summary    one row per dataset and branch
# results/validation/summary.{csv,png}  validation_summary  every system's planted, null and
#                                      confound checks beside their bounds
# results/validation/passed.txt        validation_check     written only when every check passed
# logs/<rule>/<dataset>/      one log per job


from pathlib import Path

from snakemake.utils import min_version

from eegdecode.workflow_config import read_config_file

min_version("9.9")

# Snakemake's own message for a YAML syntax error names neither the file nor the line. (A
# missing config/config.yaml is Snakemake's to judge: it accepts one with --configfile.)
if Path("config/config.yaml").is_file():
    read_config_file("config/config.yaml")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/audio_common.smk"
include: "rules/calibration_common.smk"
include: "rules/mental_state_common.smk"
include: "rules/fusion_common.smk"
include: "rules/eeg2image_common.smk"
include: "rules/validation_common.smk"
include: "rules/demo.smk"
include: "rules/preprocess.smk"
include: "rules/stimulus.smk"
include: "rules/encoders.smk"
include: "rules/generation.smk"
include: "rules/audio.smk"
include: "rules/calibration.smk"
include: "rules/mental_state.smk"
include: "rules/fusion.smk"
include: "rules/eeg2image.smk"
include: "rules/validation.smk"


rule all:
    default_target: True
    input:
        get_all_targets(),
        get_audio_targets(),
        get_calibration_targets,
        get_mental_state_targets("emotion"),
        get_mental_state_targets("workload"),
        get_fusion_targets(),
        get_eeg2image_targets(),


rule eeg2video_all:
    input:
        get_eeg2video_targets(),


rule preprocess_all:
    input:
        get_preprocess_targets(),


rule stimulus_all:
    input:
        get_stimulus_targets(),


rule eegvp_all:
    input:
        get_eegvp_targets(),


rule encoders_all:
    input:
        get_encoder_targets(),


rule audio_all:
    input:
        get_audio_targets(),


rule calibration_all:
    input:
        get_calibration_targets,


rule emotion_all:
    input:
        get_mental_state_targets("emotion"),


rule workload_all:
    input:
        get_mental_state_targets("workload"),


rule fusion_all:
    input:
        get_fusion_targets(),


rule eeg2image_all:
    input:
        get_eeg2image_targets(),


# Every system's demo, planted, null and confound, checked against its bounds (fails naming
# each failed check); the table and figure: results/validation/summary.{csv,png}.
rule validation_all:
    input:
        "results/validation/passed.txt",
        "results/validation/summary.png",
