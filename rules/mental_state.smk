# Emotion on DREAMER and cognitive load on STEW, the headset system's other two models: the
# datasets (the demo writes them in the published layouts), each model's segments, one
# evaluation per dataset × model × protocol, and a summary table per task.


if demo_datasets("emotion"):

    rule generate_demo_dreamer:
        output:
            mat="results/emotion/{dataset}/DREAMER.mat",
        log:
            "logs/generate_demo_dreamer/{dataset}.log",
        params:
            demo=lambda wildcards: MENTAL_STATE["emotion"]["datasets"][
                wildcards.dataset
            ]["demo"],
            code=code("generate_demo_dreamer.py"),
        wildcard_constraints:
            dataset="|".join(demo_datasets("emotion")),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/mental_state.yaml"
        script:
            "../workflow/scripts/generate_demo_dreamer.py"


if demo_datasets("workload"):

    rule generate_demo_stew:
        output:
            root=directory("results/workload/{dataset}/raw"),
        log:
            "logs/generate_demo_stew/{dataset}.log",
        params:
            root=lambda wildcards: stew_root(wildcards.dataset),
            subjects=lambda wildcards: MENTAL_STATE["workload"]["datasets"][
                wildcards.dataset
            ]["subjects"],
            demo=lambda wildcards: MENTAL_STATE["workload"]["datasets"][
                wildcards.dataset
            ]["demo"],
            code=code("generate_demo_stew.py"),
        wildcard_constraints:
            dataset="|".join(demo_datasets("workload")),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/mental_state.yaml"
        script:
            "../workflow/scripts/generate_demo_stew.py"


rule emotion_segments:
    input:
        mat=lambda wildcards: dreamer_mat(wildcards.dataset),
    output:
        segments="results/emotion/{dataset}/segments/{model}.h5",
    log:
        "logs/emotion_segments/{dataset}/{model}.log",
    benchmark:
        "results/emotion/{dataset}/benchmarks/emotion_segments/{model}.tsv"
    params:
        model_input=lambda wildcards: MENTAL_STATE["emotion"]["models"][
            wildcards.model
        ]["input"],
        settings={
            key: MENTAL_STATE["emotion"][key]
            for key in (
                "chunk_s",
                "n_baseline_chunks",
                "high_rating_at_least",
                "grid_positions",
            )
        },
        code=code("emotion_segments.py"),
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/mental_state.yaml"
    script:
        "../workflow/scripts/emotion_segments.py"


rule workload_segments:
    input:
        files=lambda wildcards: (
            stew_root(wildcards.dataset)
            if wildcards.dataset in demo_datasets("workload")
            else stew_files(wildcards.dataset)
        ),
    output:
        segments="results/workload/{dataset}/segments/{model}.h5",
    log:
        "logs/workload_segments/{dataset}/{model}.log",
    benchmark:
        "results/workload/{dataset}/benchmarks/workload_segments/{model}.tsv"
    params:
        root=lambda wildcards: stew_root(wildcards.dataset),
        subjects=lambda wildcards: MENTAL_STATE["workload"]["datasets"][
            wildcards.dataset
        ]["subjects"],
        unrated_subjects=MENTAL_STATE["workload"]["unrated_subjects"],
        channels=lambda wildcards: MENTAL_STATE["workload"]["models"][wildcards.model][
            "channels"
        ],
        clip_s=MENTAL_STATE["workload"]["clip_s"],
        n_scales=MENTAL_STATE["workload"]["n_scales"],
        code=code("workload_segments.py"),
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../envs/mental_state.yaml"
    script:
        "../workflow/scripts/workload_segments.py"


rule evaluate_mental_state:
    input:
        segments="results/{task}/{dataset}/segments/{model}.h5",
    output:
        metrics="results/{task}/{dataset}/evaluation/{model}_{protocol}.json",
        figure=report(
            "results/{task}/{dataset}/qc/{model}_{protocol}_confusion.png",
            caption="../workflow/report/mental_state_confusion.rst",
            category="Mental state",
            subcategory="{task}",
            labels={
                "dataset": "{dataset}",
                "model": "{model}",
                "protocol": "{protocol}",
            },
        ),
    log:
        "logs/evaluate_mental_state/{task}/{dataset}/{model}_{protocol}.log",
    benchmark:
        "results/{task}/{dataset}/benchmarks/evaluate_mental_state/{model}_{protocol}.tsv"
    params:
        model=lambda wildcards: MENTAL_STATE[wildcards.task]["models"][wildcards.model],
        evaluation=lambda wildcards: MENTAL_STATE[wildcards.task]["evaluation"],
        checkpoints=lambda wildcards: checkpoints(
            f"results/{wildcards.task}/{wildcards.dataset}/checkpoints/"
            f"{wildcards.model}_{wildcards.protocol}",
            "evaluate_mental_state.py",
        ),
        code=code("evaluate_mental_state.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(240),
    conda:
        "../envs/mental_state.yaml"
    script:
        "../workflow/scripts/evaluate_mental_state.py"


rule mental_state_summary:
    input:
        metrics=lambda wildcards: mental_state_evaluations(wildcards.task, "metrics"),
    output:
        table=report(
            "results/{task}/summary.csv",
            caption="../workflow/report/mental_state_summary.rst",
            category="Mental state",
            subcategory="{task}",
        ),
    log:
        "logs/mental_state_summary/{task}.log",
    params:
        code=code("mental_state_summary.py"),
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/mental_state.yaml"
    script:
        "../workflow/scripts/mental_state_summary.py"


rule train_workload_model:
    input:
        segments="results/workload/{dataset}/segments/{model}.h5",
    output:
        model=directory("results/workload/{dataset}/models/{model}"),
        metrics="results/workload/{dataset}/models/{model}_metrics.csv",
        curves=report(
            "results/workload/{dataset}/qc/{model}_deployed_learning.png",
            caption="../workflow/report/workload_learning.rst",
            category="Mental state",
            subcategory="workload",
            labels={
                "dataset": "{dataset}",
                "model": "{model}",
                "protocol": "deployed",
            },
        ),
    log:
        "logs/train_workload_model/{dataset}/{model}.log",
    benchmark:
        "results/workload/{dataset}/benchmarks/train_workload_model/{model}.tsv"
    params:
        model=lambda wildcards: MENTAL_STATE["workload"]["models"][wildcards.model],
        evaluation=MENTAL_STATE["workload"]["evaluation"],
        checkpoints=lambda wildcards: checkpoints(
            f"results/workload/{wildcards.dataset}/checkpoints/{wildcards.model}_deployed",
            "train_workload_model.py",
        ),
        code=code("train_workload_model.py"),
    threads: config["training_threads"]
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(120),
    conda:
        "../envs/mental_state.yaml"
    script:
        "../workflow/scripts/train_workload_model.py"
