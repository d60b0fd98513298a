# EEG encoders and predictors: the EEG-VP benchmark, GLMNet and its window embeddings, the
# semantic and the dynamic (fast/slow) predictors, and the Seq2Seq EEG→latent model.


rule eegvp:
    input:
        features=features_of("eegvp"),
        meta_info=meta_info_paths(),
    output:
        report=f"{EEG_RESULTS}/eegvp/sub{{subject}}.json",
    log:
        f"logs/eegvp/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/eegvp/sub{{subject}}.tsv"
    params:
        eegvp=config["eegvp"],
        protocol=DATASET["protocol"],
        coarse_classes=DATASET["coarse_classes"],
        local_channels=OCCIPITAL_INDEX,
        code=code("eegvp.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(240),
        gpu=gpus("eegvp/training"),
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/eegvp.py"


rule eegvp_summary:
    input:
        reports=expand(
            f"{EEG_RESULTS}/eegvp/sub{{subject}}.json",
            subject=SUBJECTS,
            allow_missing=True,
        ),
    output:
        table=report(
            f"{EEG_RESULTS}/eegvp/summary.csv",
            caption="../workflow/report/eegvp.rst",
            category="EEG-VP",
            labels={"figure": "table"},
        ),
        figure=report(
            f"{EEG_RESULTS}/eegvp/summary.png",
            caption="../workflow/report/eegvp.rst",
            category="EEG-VP",
            labels={"figure": "accuracy per task"},
        ),
    log:
        f"logs/eegvp_summary/{{eeg_dataset}}.log",
    params:
        code=code("eegvp_summary.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/eegvp_summary.py"


rule train_glmnet:
    input:
        windows=windows_of("glmnet"),
        features=features_of("glmnet"),
        meta_info=meta_info_paths(),
    output:
        model=directory(f"{EEG_RESULTS}/models/glmnet/sub{{subject}}"),
        metrics=f"{EEG_RESULTS}/models/glmnet/sub{{subject}}_metrics.csv",
        curves=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_glmnet_learning.png",
            caption="../workflow/report/learning_curves.rst",
            category="Training",
            subcategory="GLMNet",
            labels={"subject": "{subject}", "model": "GLMNet"},
        ),
    log:
        f"logs/train_glmnet/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/train_glmnet/sub{{subject}}.tsv"
    params:
        glmnet=config["glmnet"],
        test_block=TEST_BLOCK,
        protocol=DATASET["protocol"],
        coarse_classes=DATASET["coarse_classes"],
        fast_threshold=config["eegvp"]["fast_threshold"],
        local_channels=OCCIPITAL_INDEX,
        checkpoints=checkpoints(
            f"{EEG_RESULTS}/checkpoints/glmnet/sub{{subject}}", "train_glmnet.py"
        ),
        code=code("train_glmnet.py"),
    group:
        "glmnet"
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(6000),
        runtime=per_attempt(600),
        gpu=gpus("glmnet/training"),
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/train_glmnet.py"


rule glmnet_embeddings:
    input:
        model=f"{EEG_RESULTS}/models/glmnet/sub{{subject}}",
        windows=windows_of("glmnet"),
        features=features_of("glmnet"),
    output:
        embeddings=f"{EEG_RESULTS}/embeddings/sub{{subject}}_glmnet.h5",
    log:
        f"logs/glmnet_embeddings/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/glmnet_embeddings/sub{{subject}}.tsv"
    params:
        code=code("glmnet_embeddings.py"),
    group:
        "glmnet"
    threads: TRAINING_THREADS
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/glmnet_embeddings.py"


rule train_semantic:
    input:
        features=f"{EEG_RESULTS}/features/sub{{subject}}_{CLIP_LABEL}.h5",
        text_embeddings=get_text_embeddings,
    output:
        model=directory(f"{EEG_RESULTS}/models/semantic/sub{{subject}}"),
        metrics=f"{EEG_RESULTS}/models/semantic/sub{{subject}}_metrics.csv",
        curves=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_semantic_learning.png",
            caption="../workflow/report/learning_curves.rst",
            category="Training",
            subcategory="Semantic predictor",
            labels={"subject": "{subject}", "model": "Semantic predictor"},
        ),
        predictions=f"{EEG_RESULTS}/predictions/sub{{subject}}_semantic.h5",
    log:
        f"logs/train_semantic/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/train_semantic/sub{{subject}}.tsv"
    params:
        semantic=config["semantic"],
        test_block=TEST_BLOCK,
        protocol=DATASET["protocol"],
        checkpoints=checkpoints(
            f"{EEG_RESULTS}/checkpoints/semantic/sub{{subject}}", "train_semantic.py"
        ),
        code=code("train_semantic.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(16000),
        runtime=per_attempt(600),
        gpu=gpus("semantic/training"),
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/train_semantic.py"


rule train_dynamic:
    input:
        features=features_of("dynamic"),
        meta_info=meta_info_paths(),
    output:
        model=directory(f"{EEG_RESULTS}/models/dynamic/sub{{subject}}"),
        metrics=f"{EEG_RESULTS}/models/dynamic/sub{{subject}}_metrics.csv",
        curves=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_dynamic_learning.png",
            caption="../workflow/report/learning_curves.rst",
            category="Training",
            subcategory="Fast/slow predictor",
            labels={"subject": "{subject}", "model": "Fast/slow predictor"},
        ),
        predictions=f"{EEG_RESULTS}/predictions/sub{{subject}}_fast_slow.h5",
    log:
        f"logs/train_dynamic/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/train_dynamic/sub{{subject}}.tsv"
    params:
        dynamic=config["dynamic"],
        test_block=TEST_BLOCK,
        protocol=DATASET["protocol"],
        fast_threshold=config["eegvp"]["fast_threshold"],
        local_channels=OCCIPITAL_INDEX,
        checkpoints=checkpoints(
            f"{EEG_RESULTS}/checkpoints/dynamic/sub{{subject}}", "train_dynamic.py"
        ),
        code=code("train_dynamic.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
        gpu=gpus("dynamic/training"),
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/train_dynamic.py"


rule train_seq2seq:
    input:
        source=get_seq2seq_source(),
        latents=get_block_latents,
    output:
        model=directory(f"{EEG_RESULTS}/models/seq2seq/sub{{subject}}"),
        metrics=f"{EEG_RESULTS}/models/seq2seq/sub{{subject}}_metrics.csv",
        curves=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_seq2seq_learning.png",
            caption="../workflow/report/learning_curves.rst",
            category="Training",
            subcategory="Seq2Seq",
            labels={"subject": "{subject}", "model": "Seq2Seq"},
        ),
        predictions=f"{EEG_RESULTS}/predictions/sub{{subject}}_latents.h5",
    log:
        f"logs/train_seq2seq/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/train_seq2seq/sub{{subject}}.tsv"
    params:
        seq2seq=config["seq2seq"],
        test_block=TEST_BLOCK,
        protocol=DATASET["protocol"],
        checkpoints=checkpoints(
            f"{EEG_RESULTS}/checkpoints/seq2seq/sub{{subject}}", "train_seq2seq.py"
        ),
        code=code("train_seq2seq.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(16000),
        runtime=per_attempt(720),
        gpu=gpus("seq2seq/training"),
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/train_seq2seq.py"
