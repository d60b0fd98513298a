# Video diffusion: Tune-A-Video fine-tuning on ground-truth clips (shared by all subjects),
# DANA, EEG-conditioned generation per subject and mode, and its evaluation.


rule finetune_video_diffusion:
    input:
        latents=expand(
            f"{RESULTS}/stimulus/latents/block{{block}}.h5", block=FINETUNE_BLOCKS
        ),
        text_embeddings=expand(
            f"{RESULTS}/stimulus/text_embeddings/block{{block}}.h5",
            block=FINETUNE_BLOCKS,
        ),
        model=STABLE_DIFFUSION,
        unet=STARTING_UNET,
    output:
        model=directory(f"{RESULTS}/models/video_diffusion"),
        metrics=f"{RESULTS}/models/video_diffusion_metrics.csv",
        curves=report(
            f"{RESULTS}/qc/video_diffusion_learning.png",
            caption="../workflow/report/video_diffusion_learning.rst",
            category="Training",
            subcategory="Video diffusion",
        ),
    log:
        f"logs/finetune_video_diffusion/{NAME}.log",
    benchmark:
        f"{RESULTS}/benchmarks/finetune_video_diffusion.tsv"
    params:
        finetune=VIDEO_DIFFUSION["finetune"],
        unet=VIDEO_DIFFUSION["unet"],
        protocol=DATASET["protocol"],
        checkpoints=checkpoints(
            f"{RESULTS}/checkpoints/video_diffusion", "finetune_video_diffusion.py"
        ),
        code=code("finetune_video_diffusion.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(24000),
        runtime=per_attempt(1440),
        gpu=gpus("video_diffusion/finetune/training"),
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/finetune_video_diffusion.py"


rule dana:
    input:
        latents=f"{EEG_RESULTS}/predictions/sub{{subject}}_latents.h5",
        fast_slow=f"{EEG_RESULTS}/predictions/sub{{subject}}_fast_slow.h5",
    output:
        latents=f"{EEG_RESULTS}/predictions/sub{{subject}}_dana.h5",
    log:
        f"logs/dana/{{eeg_dataset}}/sub{{subject}}.log",
    params:
        dana=VIDEO_DIFFUSION["dana"],
        code=code("dana.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/dana.py"


rule generate:
    input:
        model=f"{RESULTS}/models/video_diffusion",
        vae=VAE_FOLDER,
        embeddings=f"{EEG_RESULTS}/predictions/sub{{subject}}_semantic.h5",
        initial_latents=get_initial_latents,
        reference_latents=f"{RESULTS}/stimulus/latents/block{TEST_BLOCK}.h5",
        negative_embedding=NEGATIVE_EMBEDDING,
    output:
        clips=f"{EEG_RESULTS}/generated/sub{{subject}}_{{mode}}.h5",
        files=directory(f"{EEG_RESULTS}/generated/sub{{subject}}_{{mode}}"),
    log:
        f"logs/generate/{{eeg_dataset}}/sub{{subject}}_{{mode}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/generate/sub{{subject}}_{{mode}}.tsv"
    params:
        generate=VIDEO_DIFFUSION["generate"],
        frames_per_s=config["stimulus"]["frames"]["frames_per_s"],
        code=code("generate.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(16000),
        runtime=per_attempt(720),
        gpu=gpus("video_diffusion/generate"),
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/generate.py"


rule train_clip_classifier:
    input:
        frames=expand(f"{RESULTS}/stimulus/frames/block{{block}}.h5", block=BLOCKS),
    output:
        model=directory(f"{RESULTS}/models/clip_classifier"),
    log:
        f"logs/train_clip_classifier/{NAME}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_clip_classifier.tsv"
    params:
        classifier=VIDEO_DIFFUSION["classifier"],
        test_block=TEST_BLOCK,
        checkpoints=checkpoints(
            f"{RESULTS}/checkpoints/clip_classifier", "train_clip_classifier.py"
        ),
        code=code("train_clip_classifier.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("video_diffusion/classifier/training"),
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/train_clip_classifier.py"


rule evaluate_generation:
    input:
        clips=f"{EEG_RESULTS}/generated/sub{{subject}}_{{mode}}.h5",
        truth=f"{RESULTS}/stimulus/frames/block{TEST_BLOCK}.h5",
        video_classifier=get_classifier("video"),
        image_classifier=get_classifier("image"),
    output:
        metrics=f"{EEG_RESULTS}/evaluation/sub{{subject}}_{{mode}}.json",
        figure=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_{{mode}}_generated.png",
            caption="../workflow/report/generated.rst",
            category="Generated videos",
            subcategory="{mode}",
            labels={"subject": "{subject}", "mode": "{mode}"},
        ),
    log:
        f"logs/evaluate_generation/{{eeg_dataset}}/sub{{subject}}_{{mode}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/evaluate_generation/sub{{subject}}_{{mode}}.tsv"
    params:
        evaluate=EVALUATION,
        protocol=DATASET["protocol"],
        code=code("evaluate_generation.py"),
    group:
        "evaluation"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=120,
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/evaluate_generation.py"


rule evaluate_latents:
    input:
        predictions=f"{EEG_RESULTS}/predictions/sub{{subject}}_latents.h5",
        latents=expand(f"{RESULTS}/stimulus/latents/block{{block}}.h5", block=BLOCKS),
    output:
        metrics=f"{EEG_RESULTS}/evaluation/sub{{subject}}_seq2seq_latents.json",
    log:
        f"logs/evaluate_latents/{{eeg_dataset}}/sub{{subject}}.log",
    params:
        code=code("evaluate_latents.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/evaluate_latents.py"


rule generation_page:
    input:
        shown=f"{RESULTS}/stimulus/gifs/block{TEST_BLOCK}",
        truth=f"{RESULTS}/stimulus/frames/block{TEST_BLOCK}.h5",
        generated=expand(
            f"{EEG_RESULTS}/generated/sub{{subject}}_{{mode}}",
            mode=GENERATION_MODES,
            allow_missing=True,
        ),
        metrics=expand(
            f"{EEG_RESULTS}/evaluation/sub{{subject}}_{{mode}}.json",
            mode=GENERATION_MODES,
            allow_missing=True,
        ),
    output:
        page=report(
            f"{EEG_RESULTS}/report/sub{{subject}}_generated.html",
            caption="../workflow/report/generation_page.rst",
            category="Generated videos",
            subcategory="Side by side",
            labels={"subject": "{subject}"},
        ),
    log:
        f"logs/generation_page/{{eeg_dataset}}/sub{{subject}}.log",
    params:
        modes=GENERATION_MODES,
        clips_per_concept=DATASET["protocol"]["clips_per_concept"],
        reps_shown=1,
        code=code("generation_page.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/generation_page.py"


rule evaluation_summary:
    input:
        metrics=expand(
            f"{EEG_RESULTS}/evaluation/sub{{subject}}_{{mode}}.json",
            subject=SUBJECTS,
            mode=GENERATION_MODES,
            allow_missing=True,
        ),
        latents=expand(
            f"{EEG_RESULTS}/evaluation/sub{{subject}}_seq2seq_latents.json",
            subject=SUBJECTS,
            allow_missing=True,
        ),
    output:
        table=report(
            f"{EEG_RESULTS}/evaluation/summary.csv",
            caption="../workflow/report/evaluation.rst",
            category="Generated videos",
            labels={"figure": "metrics table"},
        ),
        figure=report(
            f"{EEG_RESULTS}/evaluation/summary.png",
            caption="../workflow/report/evaluation.rst",
            category="Generated videos",
            labels={"figure": "metrics per mode"},
        ),
    log:
        f"logs/evaluation_summary/{{eeg_dataset}}.log",
    params:
        code=code("evaluation_summary.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/generation.yaml"
    script:
        "../workflow/scripts/evaluation_summary.py"
