# The embedded demo dataset, written in the SEED-DV layout under dataset.root.


if is_activated("demo"):

    rule generate_demo_metadata:
        output:
            labels=raw_path("labels"),
            meta_info=meta_info_paths(),
            captions=[raw_path("captions", block=block) for block in BLOCKS],
        log:
            f"logs/generate_demo_metadata/{NAME}.log",
        params:
            protocol=DATASET["protocol"],
            seed=config["demo"]["seed"],
            code=code("generate_demo_metadata.py"),
        threads: 1
        resources:
            mem_mb=500,
            runtime=5,
        conda:
            "../envs/demo.yaml"
        script:
            "../workflow/scripts/generate_demo_metadata.py"

    rule generate_demo_eeg:
        output:
            eeg=raw_pattern("eeg"),
        log:
            f"logs/generate_demo_eeg/{NAME}/sub{{subject}}.log",
        params:
            protocol=DATASET["protocol"],
            channel_names=CHANNELS,
            seed=config["demo"]["seed"],
            signal_strength=config["demo"]["signal_strength"],
            signal_channels=config["demo"]["signal_channels"],
            code=code("generate_demo_eeg.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=5,
        conda:
            "../envs/demo.yaml"
        script:
            "../workflow/scripts/generate_demo_eeg.py"

    rule generate_demo_video:
        output:
            video=raw_pattern("video"),
        log:
            f"logs/generate_demo_video/{NAME}/{{block_ordinal}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/generate_demo_video/{{block_ordinal}}.tsv"
        params:
            protocol=DATASET["protocol"],
            seed=config["demo"]["seed"],
            video=config["demo"]["video"],
            block=get_block,
            code=code("generate_demo_video.py"),
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../envs/demo.yaml"
        script:
            "../workflow/scripts/generate_demo_video.py"

    # The null twin's EEG (validation_all): the demo's EEG, same seed, without the concept
    # signal; only the stages that read the EEG run again for it.
    use rule generate_demo_eeg as generate_null_demo_eeg with:
        output:
            eeg=null_eeg_path("{subject}"),
        log:
            f"logs/generate_demo_eeg/{NULL_NAME}/sub{{subject}}.log",
        params:
            signal_strength=0.0,
