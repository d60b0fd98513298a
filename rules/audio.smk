# sEEG → audio: paired recordings aligned, high-gamma envelopes and log-mel targets, the
# seq2seq decoder per participant, vocoded test audio, its evaluation and a page to listen on.

if AUDIO["demo"]["activate"]:

    rule generate_demo_speech:
        output:
            seeg=audio_raw_pattern("seeg"),
            audio=audio_raw_pattern("audio"),
            words=audio_raw_pattern("words"),
        log:
            f"logs/generate_demo_speech/{AUDIO_NAME}/{{participant}}.log",
        benchmark:
            f"{AUDIO_RESULTS}/benchmarks/generate_demo_speech/{{participant}}.tsv"
        params:
            demo=AUDIO["demo"],
            seeg_sfreq=AUDIO["seeg_sfreq"],
            audio_sfreq=AUDIO["mel"]["sfreq"],
            time_axis=AUDIO["time_axis"],
            participant_index=lambda wildcards: PARTICIPANTS.index(
                wildcards.participant
            ),
            code=code("generate_demo_speech.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/audio.yaml"
        script:
            "../workflow/scripts/generate_demo_speech.py"


if AUDIO["vocoder"]["tiny_waveglow"]:

    rule build_tiny_waveglow:
        output:
            checkpoint=WAVEGLOW["checkpoint"],
            config=WAVEGLOW["config"],
        log:
            "logs/build_tiny_waveglow.log",
        params:
            n_mels=AUDIO["mel"]["n_mels"],
            seed=AUDIO["vocoder"]["seed"],
            code=code("build_tiny_waveglow.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=5,
        conda:
            "../envs/audio.yaml"
        script:
            "../workflow/scripts/build_tiny_waveglow.py"


rule align_recording:
    input:
        unpack(word_markers),
        seeg=audio_raw_pattern("seeg"),
        audio=audio_raw_pattern("audio"),
    output:
        recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
    log:
        f"logs/align_recording/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/align_recording/{{participant}}.tsv"
    params:
        seeg_sfreq=AUDIO["seeg_sfreq"],
        time_axis=AUDIO["time_axis"],
        channels=AUDIO["channels"],
        reader_options=AUDIO["reader_options"],
        audio_offset_s=lambda wildcards: AUDIO["audio_offset_s"].get(
            wildcards.participant, 0.0
        ),
        tolerance_s=AUDIO["alignment_tolerance_s"],
        audio_sfreq=AUDIO["mel"]["sfreq"],
        dataset=AUDIO_NAME,
        code=code("align_recording.py"),
    group:
        "audio_features"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=20,
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/align_recording.py"


rule highgamma:
    input:
        recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
    output:
        envelope=f"{AUDIO_RESULTS}/features/{{participant}}_highgamma.h5",
    log:
        f"logs/highgamma/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/highgamma/{{participant}}.tsv"
    params:
        highgamma=AUDIO["highgamma"],
        code=code("highgamma.py"),
    group:
        "audio_features"
    threads: 1
    resources:
        mem_mb=12000,
        runtime=30,
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/highgamma.py"


rule mel:
    input:
        recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
    output:
        mel=f"{AUDIO_RESULTS}/features/{{participant}}_mel.h5",
    log:
        f"logs/mel/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/mel/{{participant}}.tsv"
    params:
        mel=AUDIO["mel"],
        code=code("mel.py"),
    group:
        "audio_features"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/mel.py"


rule train_audio_seq2seq:
    input:
        envelope=f"{AUDIO_RESULTS}/features/{{participant}}_highgamma.h5",
        mel=f"{AUDIO_RESULTS}/features/{{participant}}_mel.h5",
    output:
        model=directory(f"{AUDIO_RESULTS}/models/audio_seq2seq/{{participant}}"),
        metrics=f"{AUDIO_RESULTS}/models/audio_seq2seq/{{participant}}_metrics.csv",
        curves=report(
            f"{AUDIO_RESULTS}/qc/{{participant}}_learning.png",
            caption="../workflow/report/audio_learning.rst",
            category="Audio",
            subcategory="Training",
            labels={"participant": "{participant}"},
        ),
        predictions=f"{AUDIO_RESULTS}/predictions/{{participant}}_mel.h5",
    log:
        f"logs/train_audio_seq2seq/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/train_audio_seq2seq/{{participant}}.tsv"
    params:
        windows=AUDIO["windows"],
        model=AUDIO["model"],
        training=AUDIO["training"],
        seed=AUDIO["seed"],
        checkpoints=checkpoints(
            f"{AUDIO_RESULTS}/checkpoints/audio_seq2seq/{{participant}}",
            "train_audio_seq2seq.py",
        ),
        code=code("train_audio_seq2seq.py"),
    threads: TRAINING_THREADS
    resources:
        mem_mb=per_attempt(16000),
        runtime=per_attempt(720),
        gpu=gpus("audio/training"),
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/train_audio_seq2seq.py"


if AUDIO["linear_baseline"]["activate"]:

    rule linear_baseline:
        input:
            recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
        output:
            model=directory(f"{AUDIO_RESULTS}/models/linear_baseline/{{participant}}"),
            predictions=f"{AUDIO_RESULTS}/predictions/{{participant}}_linear_baseline_mel.h5",
            cross_validated=f"{AUDIO_RESULTS}/predictions/{{participant}}_linear_baseline_cv_mel.h5",
        log:
            f"logs/linear_baseline/{AUDIO_NAME}/{{participant}}.log",
        benchmark:
            f"{AUDIO_RESULTS}/benchmarks/linear_baseline/{{participant}}.tsv"
        params:
            baseline=AUDIO["linear_baseline"],
            windows=AUDIO["windows"],
            code=code("linear_baseline.py"),
        threads: 1
        resources:
            mem_mb=per_attempt(8000),
            runtime=per_attempt(30),
        conda:
            "../envs/audio.yaml"
        script:
            "../workflow/scripts/linear_baseline.py"


rule vocode:
    input:
        **WAVEGLOW,
        predictions=f"{AUDIO_RESULTS}/predictions/{{participant}}_mel.h5",
        recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
    output:
        audio=directory(f"{AUDIO_RESULTS}/audio/{{participant}}"),
    log:
        f"logs/vocode/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/vocode/{{participant}}.tsv"
    params:
        vocoder=AUDIO["vocoder"],
        utterances=AUDIO["utterances"],
        code=code("vocode.py"),
    group:
        "audio_output"
    threads: 2
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(60),
        gpu=gpus("audio/vocoder"),
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/vocode.py"


rule evaluate_audio:
    input:
        unpack(baseline_predictions),
        predictions=f"{AUDIO_RESULTS}/predictions/{{participant}}_mel.h5",
        audio=f"{AUDIO_RESULTS}/audio/{{participant}}",
        recording=f"{AUDIO_RESULTS}/aligned/{{participant}}.h5",
    output:
        metrics=f"{AUDIO_RESULTS}/evaluation/{{participant}}.json",
        figure=report(
            f"{AUDIO_RESULTS}/qc/{{participant}}_mel.png",
            caption="../workflow/report/audio_mel.rst",
            category="Audio",
            subcategory="Decoded mel",
            labels={"participant": "{participant}"},
        ),
        page=report(
            f"{AUDIO_RESULTS}/report/{{participant}}_audio.html",
            caption="../workflow/report/audio_page.rst",
            category="Audio",
            subcategory="Listen",
            labels={"participant": "{participant}"},
        ),
    log:
        f"logs/evaluate_audio/{AUDIO_NAME}/{{participant}}.log",
    benchmark:
        f"{AUDIO_RESULTS}/benchmarks/evaluate_audio/{{participant}}.tsv"
    params:
        evaluate=AUDIO["evaluate"],
        baselines=list(BASELINE_DECODERS),
        vocoder_name="waveglow" if WAVEGLOW else "griffin_lim",
        code=code("evaluate_audio.py"),
    group:
        "audio_output"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/evaluate_audio.py"


rule audio_summary:
    input:
        metrics=expand(
            f"{AUDIO_RESULTS}/evaluation/{{participant}}.json",
            participant=PARTICIPANTS,
        ),
    output:
        table=report(
            f"{AUDIO_RESULTS}/evaluation/summary.csv",
            caption="../workflow/report/audio_summary.rst",
            category="Audio",
            subcategory="Correlation table",
        ),
    log:
        f"logs/audio_summary/{AUDIO_NAME}.log",
    params:
        participants=PARTICIPANTS,
        code=code("audio_summary.py"),
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/audio.yaml"
    script:
        "../workflow/scripts/audio_summary.py"
