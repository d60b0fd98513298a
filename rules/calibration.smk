# Focus calibration: the base focus model, labelled windows of each recorded session, and
# each user's fine-tuned model, of which the newest is the one `eegdecode live` uses.


if CALIBRATION["demo"]["activate"]:

    rule generate_demo_focus:
        output:
            records=focus_record_paths(),
        log:
            "logs/generate_demo_focus.log",
        params:
            focus_dataset=FOCUS_DATASET,
            seed=CALIBRATION["demo"]["seed"],
            code=code("generate_demo_focus.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/calibration.yaml"
        script:
            "../workflow/scripts/generate_demo_focus.py"


rule train_focus_base:
    input:
        records=focus_record_paths(),
    output:
        model=directory(f"{FOCUS_RESULTS}/base"),
        metrics=f"{FOCUS_RESULTS}/base_metrics.json",
    log:
        "logs/train_focus_base.log",
    benchmark:
        f"{FOCUS_RESULTS}/benchmarks/train_focus_base.tsv"
    params:
        focus_dataset=FOCUS_DATASET,
        features=CALIBRATION["features"],
        base=CALIBRATION["base"],
        code=code("train_focus_base.py"),
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../envs/calibration.yaml"
    script:
        "../workflow/scripts/train_focus_base.py"


rule calibration_windows:
    input:
        session=SESSION_PATTERN,
    output:
        windows="results/calibration/{user}/{session}/windows.h5",
    log:
        "logs/calibration_windows/{user}/{session}.log",
    params:
        classes=CALIBRATION["classes"],
        sfreq=CALIBRATION["features"]["sfreq"],
        code=code("calibration_windows.py"),
    group:
        "focus_user"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/calibration.yaml"
    script:
        "../workflow/scripts/calibration_windows.py"


rule finetune_focus:
    input:
        base=f"{FOCUS_RESULTS}/base",
        windows=get_user_windows,
    output:
        model=directory(f"{FOCUS_RESULTS}/users/{{user}}/{{version}}"),
        metrics=f"{FOCUS_RESULTS}/users/{{user}}/{{version}}_metrics.json",
    log:
        "logs/finetune_focus/{user}/{version}.log",
    benchmark:
        f"{FOCUS_RESULTS}/benchmarks/finetune_focus/{{user}}/{{version}}.tsv"
    params:
        classes=CALIBRATION["classes"],
        features=CALIBRATION["features"],
        finetune=CALIBRATION["finetune"],
        code=code("finetune_focus.py"),
    group:
        "focus_user"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/calibration.yaml"
    script:
        "../workflow/scripts/finetune_focus.py"


rule select_focus_model:
    input:
        model=get_current_focus_model,
    output:
        # update(): Snakemake would delete the pointer before the job; live inference started
        # meanwhile would find no model. The script replaces it atomically instead.
        pointer=update(f"{FOCUS_RESULTS}/users/{{user}}/current.json"),
    log:
        "logs/select_focus_model/{user}.log",
    params:
        code=code("select_focus_model.py"),
    group:
        "focus_user"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/calibration.yaml"
    script:
        "../workflow/scripts/select_focus_model.py"
