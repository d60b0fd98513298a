# NeuroImagen, EEG → image on EEG-ImageNet: the release's files (the demo writes them), the
# stimuli and their caption embeddings, the pixel-level branch (f_θ, then the saliency GAN),
# the sample-level branch (EEG → caption embedding), img2img reconstruction per branch with
# the strength chosen on validation, and one evaluation per dataset beside the time-only
# baseline, summarised in one table.


if eeg2image_demo_datasets():

    rule generate_demo_eeg_imagenet:
        output:
            root=directory("results/eeg2image/{dataset}/raw"),
        log:
            "logs/generate_demo_eeg_imagenet/{dataset}.log",
        benchmark:
            "results/eeg2image/{dataset}/benchmarks/generate_demo_eeg_imagenet.tsv"
        params:
            demo=lambda wildcards: EEG2IMAGE["datasets"][wildcards.dataset]["demo"],
            code=code("generate_demo_eeg_imagenet.py"),
        wildcard_constraints:
            dataset="|".join(eeg2image_demo_datasets()),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/eeg2image.yaml"
        script:
            "../workflow/scripts/generate_demo_eeg_imagenet.py"


rule eeg2image_stimuli:
    input:
        release=eeg2image_input("eeg", "images", "synset_mapping"),
        model=STABLE_DIFFUSION,
    output:
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
    log:
        "logs/eeg2image_stimuli/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/eeg2image_stimuli.tsv"
    params:
        files=lambda wildcards: eeg2image_files(wildcards.dataset),
        settings={key: EEG2IMAGE[key] for key in ("image_size", "caption")},
        code=code("eeg2image_stimuli.py"),
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/eeg2image_stimuli.py"


rule train_eeg2image_encoder:
    input:
        release=eeg2image_input("eeg", "splits"),
    output:
        model=directory(f"{EEG2IMAGE_RESULTS}/models/encoder"),
        embeddings=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        metrics=f"{EEG2IMAGE_RESULTS}/models/encoder_metrics.csv",
        curves=f"{EEG2IMAGE_RESULTS}/qc/encoder_learning.png",
    log:
        "logs/train_eeg2image_encoder/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/train_eeg2image_encoder.tsv"
    params:
        files=lambda wildcards: eeg2image_files(wildcards.dataset),
        settings={key: EEG2IMAGE[key] for key in ("split", "decimate", "encoder")},
        checkpoints=checkpoints(
            f"{EEG2IMAGE_RESULTS}/checkpoints/encoder", "train_eeg2image_encoder.py"
        ),
        code=code("train_eeg2image_encoder.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("eeg2image/encoder/training"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/train_eeg2image_encoder.py"


rule train_caption_regressor:
    input:
        release=eeg2image_input("eeg", "splits"),
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
    output:
        model=directory(f"{EEG2IMAGE_RESULTS}/models/caption_regressor"),
        captions=f"{EEG2IMAGE_RESULTS}/segments/captions.h5",
        metrics=f"{EEG2IMAGE_RESULTS}/models/caption_regressor_metrics.csv",
        curves=f"{EEG2IMAGE_RESULTS}/qc/caption_regressor_learning.png",
    log:
        "logs/train_caption_regressor/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/train_caption_regressor.tsv"
    params:
        files=lambda wildcards: eeg2image_files(wildcards.dataset),
        settings={
            key: EEG2IMAGE[key] for key in ("split", "decimate", "caption_regressor")
        },
        checkpoints=checkpoints(
            f"{EEG2IMAGE_RESULTS}/checkpoints/caption_regressor",
            "train_caption_regressor.py",
        ),
        code=code("train_caption_regressor.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("eeg2image/caption_regressor/training"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/train_caption_regressor.py"


rule train_saliency_gan:
    input:
        embeddings=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
    output:
        model=directory(f"{EEG2IMAGE_RESULTS}/models/saliency_generator"),
        saliency=f"{EEG2IMAGE_RESULTS}/segments/saliency.h5",
        metrics=f"{EEG2IMAGE_RESULTS}/models/saliency_generator_metrics.csv",
        strips=report(
            f"{EEG2IMAGE_RESULTS}/qc/saliency.png",
            caption="../workflow/report/eeg2image_saliency.rst",
            category="EEG to image",
            labels={"dataset": "{dataset}", "figure": "saliency maps"},
        ),
    log:
        "logs/train_saliency_gan/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/train_saliency_gan.tsv"
    params:
        settings={"saliency": EEG2IMAGE["saliency"]},
        checkpoints=checkpoints(
            f"{EEG2IMAGE_RESULTS}/checkpoints/saliency", "train_saliency_gan.py"
        ),
        code=code("train_saliency_gan.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("eeg2image/saliency/training"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/train_saliency_gan.py"


if is_activated("pretrained/tiny"):

    rule fit_eeg2image_vae:
        input:
            model=STABLE_DIFFUSION,
            stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
            segments=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        output:
            folder=directory(f"{EEG2IMAGE_RESULTS}/pretrained/fitted_vae"),
        log:
            "logs/fit_eeg2image_vae/{dataset}.log",
        benchmark:
            f"{EEG2IMAGE_RESULTS}/benchmarks/fit_eeg2image_vae.tsv"
        params:
            fit=EEG2IMAGE["vae_fit"],
            code=code("fit_eeg2image_vae.py"),
        threads: config["training_threads"]
        resources:
            mem_mb=8000,
            runtime=60,
        conda:
            "../envs/eeg2image.yaml"
        script:
            "../workflow/scripts/fit_eeg2image_vae.py"


rule finetune_image_diffusion:
    input:
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
        segments=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        model=STABLE_DIFFUSION,
        vae=eeg2image_vae,
    output:
        folder=directory(f"{EEG2IMAGE_RESULTS}/models/image_diffusion"),
        metrics=f"{EEG2IMAGE_RESULTS}/models/image_diffusion_metrics.csv",
    log:
        "logs/finetune_image_diffusion/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/finetune_image_diffusion.tsv"
    params:
        training=EEG2IMAGE["diffusion"]["finetune"],
        checkpoints=checkpoints(
            f"{EEG2IMAGE_RESULTS}/checkpoints/image_diffusion",
            "finetune_image_diffusion.py",
        ),
        code=code("finetune_image_diffusion.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(16000),
        runtime=per_attempt(240),
        gpu=gpus("eeg2image/diffusion/finetune"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/finetune_image_diffusion.py"


rule train_image_classifier:
    input:
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
        segments=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        vae=eeg2image_vae,
    output:
        model=directory(f"{EEG2IMAGE_RESULTS}/models/image_classifier"),
        metrics=f"{EEG2IMAGE_RESULTS}/models/image_classifier_metrics.csv",
        curves=f"{EEG2IMAGE_RESULTS}/qc/image_classifier_learning.png",
    log:
        "logs/train_image_classifier/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/train_image_classifier.tsv"
    params:
        settings=EEG2IMAGE["classifier"],
        checkpoints=checkpoints(
            f"{EEG2IMAGE_RESULTS}/checkpoints/image_classifier",
            "train_image_classifier.py",
        ),
        code=code("train_image_classifier.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/train_image_classifier.py"


rule select_strength:
    input:
        model=eeg2image_model("image_diffusion"),
        vae=eeg2image_vae,
        saliency=f"{EEG2IMAGE_RESULTS}/segments/saliency.h5",
        captions=f"{EEG2IMAGE_RESULTS}/segments/captions.h5",
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
        classifier=eeg2image_model("image_classifier"),
    output:
        strength=f"{EEG2IMAGE_RESULTS}/reconstructions/strength.json",
    log:
        "logs/select_strength/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/select_strength.tsv"
    params:
        settings=EEG2IMAGE["diffusion"]["reconstruct"],
        code=code("select_strength.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("eeg2image/diffusion/reconstruct"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/select_strength.py"


rule reconstruct_images:
    input:
        strength=f"{EEG2IMAGE_RESULTS}/reconstructions/strength.json",
        model=eeg2image_model("image_diffusion"),
        vae=eeg2image_vae,
        saliency=f"{EEG2IMAGE_RESULTS}/segments/saliency.h5",
        captions=f"{EEG2IMAGE_RESULTS}/segments/captions.h5",
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
    output:
        images=f"{EEG2IMAGE_RESULTS}/reconstructions/{{branch}}.h5",
        pngs=directory(f"{EEG2IMAGE_RESULTS}/reconstructions/{{branch}}"),
    log:
        "logs/reconstruct_images/{dataset}/{branch}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/reconstruct_images/{{branch}}.tsv"
    params:
        settings=EEG2IMAGE["diffusion"]["reconstruct"],
        code=code("reconstruct_images.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
        gpu=gpus("eeg2image/diffusion/reconstruct"),
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/reconstruct_images.py"


rule evaluate_eeg2image:
    input:
        reconstructions=expand(
            f"{EEG2IMAGE_RESULTS}/reconstructions/{{branch}}.h5",
            branch=EEG2IMAGE["diffusion"]["reconstruct"]["branches"],
            allow_missing=True,
        ),
        stimuli=f"{EEG2IMAGE_RESULTS}/stimuli.h5",
        segments=f"{EEG2IMAGE_RESULTS}/segments/embeddings.h5",
        classifier=eeg2image_model("image_classifier"),
    output:
        metrics=f"{EEG2IMAGE_RESULTS}/evaluation.json",
        figure=report(
            f"{EEG2IMAGE_RESULTS}/qc/reconstructions.png",
            caption="../workflow/report/eeg2image_reconstructions.rst",
            category="EEG to image",
            labels={"dataset": "{dataset}", "figure": "seen and reconstructed images"},
        ),
    log:
        "logs/evaluate_eeg2image/{dataset}.log",
    benchmark:
        f"{EEG2IMAGE_RESULTS}/benchmarks/evaluate_eeg2image.tsv"
    params:
        branches=EEG2IMAGE["diffusion"]["reconstruct"]["branches"],
        settings=EEG2IMAGE["evaluate"],
        code=code("evaluate_eeg2image.py"),
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/evaluate_eeg2image.py"


rule eeg2image_summary:
    input:
        metrics=expand(
            "results/eeg2image/{dataset}/evaluation.json",
            dataset=list(EEG2IMAGE["datasets"]),
        ),
    output:
        table=report(
            "results/eeg2image/summary.csv",
            caption="../workflow/report/eeg2image_summary.rst",
            category="EEG to image",
        ),
    log:
        "logs/eeg2image_summary.log",
    params:
        code=code("eeg2image_summary.py"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/eeg2image.yaml"
    script:
        "../workflow/scripts/eeg2image_summary.py"
