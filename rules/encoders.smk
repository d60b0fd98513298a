# EEG encoders and predictors: the EEG-VP benchmark.


rule eegvp:
    input:
        features=f"{RESULTS}/features/sub{{subject}}_{config['eegvp']['window']}.h5",
        meta_info=[raw_path("meta_info", name=name) for name in SEED_DV_META_INFO],
    output:
        report=f"{RESULTS}/eegvp/sub{{subject}}.json",
    log:
        f"logs/eegvp/{NAME}/sub{{subject}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/eegvp/sub{{subject}}.tsv"
    params:
        eegvp=config["eegvp"],
        protocol=DATASET["protocol"],
        coarse_classes=DATASET["coarse_classes"],
        local_channels=OCCIPITAL_INDEX,
    threads: 2
    resources:
        mem_mb=4000,
        runtime=240,
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/eegvp.py"


rule eegvp_summary:
    input:
        reports=expand(f"{RESULTS}/eegvp/sub{{subject}}.json", subject=SUBJECTS),
    output:
        table=report(
            f"{RESULTS}/eegvp/summary.csv",
            caption="../workflow/report/eegvp.rst",
            category="EEG-VP",
            labels={"figure": "table"},
        ),
        figure=report(
            f"{RESULTS}/eegvp/summary.png",
            caption="../workflow/report/eegvp.rst",
            category="EEG-VP",
            labels={"figure": "accuracy per task"},
        ),
    log:
        f"logs/eegvp_summary/{NAME}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../envs/encoders.yaml"
    script:
        "../workflow/scripts/eegvp_summary.py"
