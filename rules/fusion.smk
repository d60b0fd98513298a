# EEG + face late fusion for valence and arousal on DEAP: the dataset (the demo writes it in
# the release's layout), face crops per participant, their embeddings by a frozen vision
# encoder, the EEG's differential entropy, and one evaluation of EEG only, face only and
# fusion per dataset × target × protocol, summarised in one table and figure.


if fusion_demo_datasets():

    rule generate_demo_deap:
        output:
            root=directory("results/fusion/{dataset}/raw"),
        log:
            "logs/generate_demo_deap/{dataset}.log",
        benchmark:
            "results/fusion/{dataset}/benchmarks/generate_demo_deap.tsv"
        params:
            demo=lambda wildcards: FUSION["datasets"][wildcards.dataset]["demo"],
            code=code("generate_demo_deap.py"),
        wildcard_constraints:
            dataset="|".join(fusion_demo_datasets()),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=20,
        conda:
            "../envs/fusion.yaml"
        script:
            "../workflow/scripts/generate_demo_deap.py"


if not FUSION["vision_encoder"]:

    rule build_tiny_vision_encoder:
        output:
            folder=directory("results/pretrained/tiny-vit"),
        log:
            "logs/build_tiny_vision_encoder.log",
        params:
            tiny=FUSION["tiny_vision_encoder"],
            code=code("build_tiny_vision_encoder.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=5,
        conda:
            "../envs/fusion.yaml"
        script:
            "../workflow/scripts/build_tiny_vision_encoder.py"


rule detect_faces:
    input:
        videos=deap_input("videos"),
    output:
        crops="results/fusion/{dataset}/faces/s{deap_subject}_crops.h5",
    log:
        "logs/detect_faces/{dataset}/s{deap_subject}.log",
    benchmark:
        "results/fusion/{dataset}/benchmarks/detect_faces/s{deap_subject}.tsv"
    params:
        videos=lambda wildcards: deap_face_videos(
            wildcards.dataset, wildcards.deap_subject
        ),
        faces=FUSION["faces"],
        code=code("detect_faces.py"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/detect_faces.py"


rule finetune_face_encoder:
    input:
        ratings=deap_input("ratings"),
        crops=lambda wildcards: fusion_finetuning_subjects(
            wildcards.dataset,
            "results/fusion/{dataset}/faces/s{deap_subject}_crops.h5",
        ),
        eeg=lambda wildcards: fusion_finetuning_subjects(
            wildcards.dataset, "results/fusion/{dataset}/eeg/s{deap_subject}.h5"
        ),
        encoder=vision_encoder_folder(),
    output:
        folder=directory("results/fusion/{dataset}/face_encoder/{target}"),
    log:
        "logs/finetune_face_encoder/{dataset}/{target}.log",
    benchmark:
        "results/fusion/{dataset}/benchmarks/finetune_face_encoder/{target}.tsv"
    params:
        ratings=lambda wildcards: deap_file(wildcards.dataset, "ratings"),
        split={
            side: [int(s) for s in FUSION["evaluation"]["split"][side]]
            for side in ("train", "validation")
        },
        finetuning=FUSION["face_finetuning"],
        heads=FUSION["face_model"]["config"],
        high_rating_at_least=FUSION["high_rating_at_least"],
        oversample=FUSION["oversample"],
        seed=FUSION["evaluation"]["seed"],
        checkpoints=checkpoints(
            "results/fusion/{dataset}/checkpoints/face_encoder/{target}",
            "finetune_face_encoder.py",
        ),
        code=code("finetune_face_encoder.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(240),
        gpu=gpus("fusion/face_finetuning/training"),
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/finetune_face_encoder.py"


rule face_embeddings:
    input:
        crops="results/fusion/{dataset}/faces/s{deap_subject}_crops.h5",
        encoder=face_encoder_folder,
    output:
        embeddings="results/fusion/{dataset}/faces/{face_encoder}/s{deap_subject}_embeddings.h5",
    log:
        "logs/face_embeddings/{dataset}/{face_encoder}/s{deap_subject}.log",
    benchmark:
        "results/fusion/{dataset}/benchmarks/face_embeddings/{face_encoder}/s{deap_subject}.tsv"
    params:
        batch_size=FUSION["faces"]["batch_size"],
        code=code("face_embeddings.py"),
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/face_embeddings.py"


rule eeg_differential_entropy:
    input:
        mat=deap_input("mat"),
    output:
        features="results/fusion/{dataset}/eeg/s{deap_subject}.h5",
    log:
        "logs/eeg_differential_entropy/{dataset}/s{deap_subject}.log",
    params:
        root=lambda wildcards: deap_root(wildcards.dataset),
        n_samples=lambda wildcards: deap_trial_samples(wildcards.dataset),
        eeg=FUSION["eeg"],
        code=code("eeg_differential_entropy.py"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/eeg_differential_entropy.py"


rule evaluate_fusion:
    input:
        ratings=deap_input("ratings"),
        eeg=lambda wildcards: fusion_per_subject(
            wildcards.dataset, "results/fusion/{dataset}/eeg/s{deap_subject}.h5"
        ),
        faces=lambda wildcards: fusion_per_subject(
            wildcards.dataset,
            "results/fusion/{dataset}/faces/%s/s{deap_subject}_embeddings.h5"
            % face_encoder_name(wildcards.target),
        ),
    output:
        metrics="results/fusion/{dataset}/evaluation/{target}_{fusion_protocol}.json",
    log:
        "logs/evaluate_fusion/{dataset}/{target}_{fusion_protocol}.log",
    benchmark:
        "results/fusion/{dataset}/benchmarks/evaluate_fusion/{target}_{fusion_protocol}.tsv"
    params:
        ratings=lambda wildcards: deap_file(wildcards.dataset, "ratings"),
        subjects=lambda wildcards: [int(s) for s in deap_subjects(wildcards.dataset)],
        settings={
            key: FUSION[key]
            for key in (
                "high_rating_at_least",
                "oversample",
                "standardize_projection",
                "face_model",
                "eeg_model",
                "fusion_model",
            )
        },
        evaluation=FUSION["evaluation"],
        code=code("evaluate_fusion.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/evaluate_fusion.py"


rule fusion_summary:
    input:
        metrics=fusion_evaluations(),
    output:
        table=report(
            "results/fusion/summary.csv",
            caption="../workflow/report/fusion_summary.rst",
            category="Emotion fusion",
        ),
        figure=report(
            "results/fusion/summary.png",
            caption="../workflow/report/fusion_summary.rst",
            category="Emotion fusion",
        ),
    log:
        "logs/fusion_summary.log",
    params:
        code=code("fusion_summary.py"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/fusion.yaml"
    script:
        "../workflow/scripts/fusion_summary.py"
