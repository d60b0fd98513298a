# EEG preprocessing: 2 s clips, windows inside them, DE/PSD band features, QC figure.


rule segment:
    input:
        eeg=get_eeg,
        labels=get_labels,
    output:
        clips=f"{EEG_RESULTS}/clips/sub{{subject}}.h5",
    log:
        f"logs/segment/{{eeg_dataset}}/sub{{subject}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/segment/sub{{subject}}.tsv"
    params:
        protocol=DATASET["protocol"],
        published_order=DATASET["published_order"],
        channel_names=CHANNELS,
        unit=DATASET["channels"]["unit"],
        code=code("segment.py"),
    group:
        "preprocess"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=15,
    conda:
        "../envs/preprocess.yaml"
    script:
        "../workflow/scripts/segment.py"


rule sliding_windows:
    input:
        clips=f"{EEG_RESULTS}/clips/sub{{subject}}.h5",
    output:
        windows=f"{EEG_RESULTS}/windows/sub{{subject}}_{{window}}.h5",
    log:
        f"logs/sliding_windows/{{eeg_dataset}}/sub{{subject}}_{{window}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/sliding_windows/sub{{subject}}_{{window}}.tsv"
    params:
        windows=get_window_settings,
        code=code("sliding_windows.py"),
    group:
        "preprocess"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=15,
    conda:
        "../envs/preprocess.yaml"
    script:
        "../workflow/scripts/sliding_windows.py"


rule de_psd:
    input:
        segments=get_feature_source,
    output:
        features=f"{EEG_RESULTS}/features/sub{{subject}}_{{window}}.h5",
    log:
        f"logs/de_psd/{{eeg_dataset}}/sub{{subject}}_{{window}}.log",
    benchmark:
        f"{EEG_RESULTS}/benchmarks/de_psd/sub{{subject}}_{{window}}.tsv"
    params:
        features=BAND_FEATURES,
        code=code("de_psd.py"),
    group:
        "preprocess"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../envs/preprocess.yaml"
    script:
        "../workflow/scripts/de_psd.py"


rule plot_feature_qc:
    input:
        clips=f"{EEG_RESULTS}/clips/sub{{subject}}.h5",
        features=f"{EEG_RESULTS}/features/sub{{subject}}_{CLIP_LABEL}.h5",
    output:
        figure=report(
            f"{EEG_RESULTS}/qc/sub{{subject}}_features.png",
            caption="../workflow/report/feature_qc.rst",
            category="Preprocessing",
            subcategory="Band features",
            labels={"subject": "{subject}", "figure": "DE topomaps and spectra"},
        ),
    log:
        f"logs/plot_feature_qc/{{eeg_dataset}}/sub{{subject}}.log",
    params:
        channels=DATASET["channels"],
        qc=config["qc"],
        code=code("plot_feature_qc.py"),
    group:
        "preprocess"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../envs/preprocess.yaml"
    script:
        "../workflow/scripts/plot_feature_qc.py"
