# The stimulus side: ground-truth frames and GIFs, VAE latents and caption embeddings.


if is_activated("pretrained/tiny"):

    rule build_tiny_stable_diffusion:
        output:
            folder=directory(STABLE_DIFFUSION),
        log:
            "logs/build_tiny_stable_diffusion/build.log",
        params:
            seed=config["pretrained"]["tiny"]["seed"],
            code=code("build_tiny_stable_diffusion.py"),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../envs/stimulus.yaml"
        script:
            "../workflow/scripts/build_tiny_stable_diffusion.py"

    rule fit_tiny_vae:
        input:
            model=STABLE_DIFFUSION,
            frames=expand(
                f"{RESULTS}/stimulus/frames/block{{block}}.h5",
                block=[block for block in BLOCKS if block != TEST_BLOCK],
            ),
        output:
            folder=directory(f"{RESULTS}/pretrained/fitted_vae"),
            curve=report(
                f"{RESULTS}/qc/tiny_vae_fit.png",
                caption="../workflow/report/tiny_vae_fit.rst",
                category="Stimulus",
                subcategory="Tiny VAE",
            ),
        log:
            f"logs/fit_tiny_vae/{NAME}.log",
        benchmark:
            f"{RESULTS}/benchmarks/fit_tiny_vae.tsv"
        params:
            fit=config["pretrained"]["tiny"]["vae_fit"],
            code=code("fit_tiny_vae.py"),
        threads: TRAINING_THREADS
        resources:
            mem_mb=8000,
            runtime=60,
        conda:
            "../envs/stimulus.yaml"
        script:
            "../workflow/scripts/fit_tiny_vae.py"


rule extract_gifs:
    input:
        video=get_video,
        labels=get_labels,
    output:
        gifs=directory(f"{RESULTS}/stimulus/gifs/block{{block}}"),
        frames=f"{RESULTS}/stimulus/frames/block{{block}}.h5",
    log:
        f"logs/extract_gifs/{NAME}/block{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/extract_gifs/block{{block}}.tsv"
    params:
        protocol=DATASET["protocol"],
        published_order=DATASET["published_order"],
        frames=config["stimulus"]["frames"],
        code=code("extract_gifs.py"),
    group:
        "stimulus_frames"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/stimulus.yaml"
    script:
        "../workflow/scripts/extract_gifs.py"


rule vae_latents:
    input:
        frames=f"{RESULTS}/stimulus/frames/block{{block}}.h5",
        model=VAE_FOLDER,
    output:
        latents=f"{RESULTS}/stimulus/latents/block{{block}}.h5",
    log:
        f"logs/vae_latents/{NAME}/block{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/vae_latents/block{{block}}.tsv"
    params:
        latents=config["stimulus"]["latents"],
        code=code("vae_latents.py"),
    threads: 2
    resources:
        mem_mb=per_attempt(8000),
        runtime=per_attempt(60),
        gpu=gpus("stimulus/latents"),
    conda:
        "../envs/stimulus.yaml"
    script:
        "../workflow/scripts/vae_latents.py"


rule caption_embeddings:
    input:
        captions=get_captions,
        model=STABLE_DIFFUSION,
    output:
        embeddings=f"{RESULTS}/stimulus/text_embeddings/block{{block}}.h5",
    log:
        f"logs/caption_embeddings/{NAME}/block{{block}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/caption_embeddings/block{{block}}.tsv"
    params:
        captions=config["stimulus"]["captions"],
        n_captions=PROTOCOL.clips_per_block,
        code=code("caption_embeddings.py"),
    threads: 2
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(20),
        gpu=gpus("stimulus/captions"),
    conda:
        "../envs/stimulus.yaml"
    script:
        "../workflow/scripts/caption_embeddings.py"


rule plot_stimulus_frames:
    input:
        frames=f"{RESULTS}/stimulus/frames/block{{block}}.h5",
        captions=get_captions,
    output:
        figure=report(
            f"{RESULTS}/qc/block{{block}}_frames.png",
            caption="../workflow/report/stimulus_frames.rst",
            category="Stimulus",
            subcategory="Ground-truth frames",
            labels={"block": "{block}", "figure": "frame strips per concept"},
        ),
    log:
        f"logs/plot_stimulus_frames/{NAME}/block{{block}}.log",
    params:
        clips_per_concept=PROTOCOL.clips_per_concept,
        code=code("plot_stimulus_frames.py"),
    group:
        "stimulus_frames"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/stimulus.yaml"
    script:
        "../workflow/scripts/plot_stimulus_frames.py"
