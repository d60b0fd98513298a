# validation_all: every system's embedded demo, planted, null and (NeuroImagen) confound,
# through to its final output, each check held against its bound in
# results/validation/summary.csv. The null twins share what does not read the EEG.


rule validation_summary:
    input:
        unpack(validation_tables),
    output:
        table=report(
            "results/validation/summary.csv",
            caption="../workflow/report/validation.rst",
            category="Validation",
            labels={"figure": "table"},
        ),
        figure=report(
            "results/validation/summary.png",
            caption="../workflow/report/validation.rst",
            category="Validation",
            labels={"figure": "checks"},
        ),
    log:
        "logs/validation_summary.log",
    params:
        n_test_clips=len(SUBJECTS) * PROTOCOL.n_concepts * PROTOCOL.clips_per_concept,
        full_mode_target=VALIDATION["eeg2video_full_mode_target"],
        models={task: list(MENTAL_STATE[task]["models"]) for task in MENTAL_STATE},
        code=code("validation_summary.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/validation.yaml"
    script:
        "../workflow/scripts/validation_summary.py"


rule validation_check:
    input:
        table="results/validation/summary.csv",
    output:
        passed="results/validation/passed.txt",
    log:
        "logs/validation_check.log",
    params:
        code=code("validation_check.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/validation.yaml"
    script:
        "../workflow/scripts/validation_check.py"
