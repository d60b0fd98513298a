"""The science checks of ``validation_all``: each system's embedded demo, with the planted
signal, without it (null) and with only a confound, scored in its final output and held
against the bound it must clear.

A planted demo must score above the range that chance reaches on its number of test trials
(a binomial range), a null demo inside it; a confound demo is reported above chance beside the
time-only baseline, which shows how far the presentation order alone goes. Each check is one
row of ``results/validation/summary.csv``; :func:`failed_checks` turns the failed rows into one
message naming the system, variant, metric and bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from .classification import binomial_interval

# The columns of results/validation/summary.csv, in order.
COLUMNS = ("system", "variant", "metric", "value", "chance", "bound", "basis", "passed")


@dataclass(frozen=True)
class Check:
    """One row of the validation table.

    Attributes
    ----------
    system, variant, metric : str
        What was scored: e.g. ``eeg2video``, ``null``, ``full video_8way``.
    value : float
        The score.
    chance : float or None
        Its chance level, where it has one.
    lower, upper : float or None
        The range the value must lie in; None leaves that side open.
    strict : bool
        With one bound: whether the value must lie strictly beyond it (``>``, a planted signal
        above the range of chance; ``<``) rather than on or beyond it (``>=``, ``<=``). A
        range of two bounds holds its ends.
    basis : str
        Where the bound comes from, in words.
    """

    system: str
    variant: str
    metric: str
    value: float
    chance: float | None
    lower: float | None
    upper: float | None
    strict: bool
    basis: str

    @property
    def passed(self) -> bool:
        value, lower, upper = self.value, self.lower, self.upper
        if not math.isfinite(value):
            return False
        if lower is not None and upper is not None:
            return lower <= value <= upper
        if lower is not None:
            return value > lower if self.strict else value >= lower
        return value < upper if self.strict else value <= upper

    @property
    def bound(self) -> str:
        """The bound in one expression: ``> 0.183``, ``>= 0.35``, ``in [0.067, 0.183]``."""
        if self.lower is not None and self.upper is not None:
            return f"in [{self.lower:.3g}, {self.upper:.3g}]"
        if self.lower is not None:
            return f"{'>' if self.strict else '>='} {self.lower:.3g}"
        if self.upper is not None:
            return f"{'<' if self.strict else '<='} {self.upper:.3g}"
        raise ValueError(f"check {self.metric} of {self.system} {self.variant} has no bound")

    def row(self) -> dict:
        fields = asdict(self)
        return {
            **{key: fields[key] for key in ("system", "variant", "metric", "value")},
            "chance": "" if self.chance is None else self.chance,
            "bound": self.bound,
            "basis": self.basis,
            "passed": self.passed,
        }


def above_chance(system, variant, metric, value, chance, n, confidence) -> Check:
    """``value`` above the central ``confidence`` range of chance over ``n`` trials."""
    _, high = binomial_interval(chance, n, confidence)
    basis = f"above the {confidence:.1%} binomial range of chance over {n} trials"
    return Check(system, variant, metric, value, chance, high, None, True, basis)


def at_chance(system, variant, metric, value, chance, n, confidence) -> Check:
    """``value`` inside the central ``confidence`` range of chance over ``n`` trials."""
    low, high = binomial_interval(chance, n, confidence)
    basis = f"inside the {confidence:.1%} binomial range of chance over {n} trials"
    return Check(system, variant, metric, value, chance, low, high, False, basis)


def at_least(system, variant, metric, value, bound, basis, chance=None) -> Check:
    return Check(system, variant, metric, value, chance, bound, None, False, basis)


def beyond(system, variant, metric, value, bound, basis, chance=None) -> Check:
    return Check(system, variant, metric, value, chance, bound, None, True, basis)


def at_most(system, variant, metric, value, bound, basis, chance=None) -> Check:
    return Check(system, variant, metric, value, chance, None, bound, False, basis)


def below(system, variant, metric, value, bound, basis, chance=None) -> Check:
    return Check(system, variant, metric, value, chance, None, bound, True, basis)


def eeg2video_checks(
    planted: Sequence[Mapping],
    null: Sequence[Mapping],
    *,
    n_test_clips: int,
    full_mode_target: float,
) -> list[Check]:
    """The EEG→video demo's clips, planted and null (rows of ``evaluation/summary.csv``).

    Planted: full and no_dana clips name the shown concept (video 8-way, mean over the
    subjects) above the 95 % range of chance over ``n_test_clips`` and at least as often as
    clips generated from noise (no_seq2seq), video 2-way above 0.55; full mode at least
    ``full_mode_target``; Seq2Seq's latents alone above twice the upper end of chance's
    range. Null: every mode's video 8-way inside that range, video 2-way below 0.55, the
    latents at most its upper end.
    """
    planted_score, null_score = _by_mode(planted), _by_mode(null)
    chance = planted_score["full", "video_8way"][1]
    _, upper = binomial_interval(chance, n_test_clips, 0.95)
    system = "eeg2video"
    checks = [
        at_least(
            system,
            "planted",
            "full video_8way",
            planted_score["full", "video_8way"][0],
            full_mode_target,
            "target of the flagship's full mode",
            chance,
        ),
    ]
    for mode in ("full", "no_dana"):
        value = planted_score[mode, "video_8way"][0]
        checks += [
            above_chance(
                system, "planted", f"{mode} video_8way", value, chance, n_test_clips, 0.95
            ),
            at_least(
                system,
                "planted",
                f"{mode} video_8way - no_seq2seq video_8way",
                value - planted_score["no_seq2seq", "video_8way"][0],
                0.0,
                "EEG latents at least as good as noise",
            ),
            beyond(
                system,
                "planted",
                f"{mode} video_2way",
                planted_score[mode, "video_2way"][0],
                0.55,
                "2-way above 0.55",
                planted_score[mode, "video_2way"][1],
            ),
        ]
    latent, latent_chance = planted_score["seq2seq_latents", "latent_8way"]
    checks.append(
        beyond(
            system,
            "planted",
            "seq2seq_latents latent_8way",
            latent,
            2 * upper,
            "twice the upper end of the 95.0% range of chance",
            latent_chance,
        )
    )
    for mode in ("full", "no_dana", "no_seq2seq"):
        checks += [
            at_chance(
                system,
                "null",
                f"{mode} video_8way",
                null_score[mode, "video_8way"][0],
                chance,
                n_test_clips,
                0.95,
            ),
            below(
                system,
                "null",
                f"{mode} video_2way",
                null_score[mode, "video_2way"][0],
                0.55,
                "2-way below 0.55",
                null_score[mode, "video_2way"][1],
            ),
        ]
    latent, latent_chance = null_score["seq2seq_latents", "latent_8way"]
    checks.append(
        at_most(
            system,
            "null",
            "seq2seq_latents latent_8way",
            latent,
            upper,
            "upper end of the 95.0% range of chance",
            latent_chance,
        )
    )
    return checks


def _by_mode(rows: Iterable[Mapping]) -> dict[tuple[str, str], tuple[float, float | None]]:
    return {
        (row["mode"], row["metric"]): (float(row["mean"]), _optional(row.get("chance")))
        for row in rows
    }


def _optional(value) -> float | None:
    return None if value in (None, "") else float(value)


def eeg2image_checks(rows: Sequence[Mapping], *, confidence: float = 0.999) -> list[Check]:
    """NeuroImagen's reconstructions (rows of ``eeg2image/summary.csv``, by dataset and branch).

    Planted (``demo``): both branches above the range of chance, at least as good as either
    branch alone. Null (``demo-null``): every branch inside it. Confound (``demo-confound``):
    both branches above it, reported as what the presentation order alone gives. The
    time-only baseline above it on every variant (the block design)."""
    table = {(row["dataset"], row["branch"]): row for row in rows}
    system = "eeg2image"

    def check(make, dataset, branch, variant):
        row = table[dataset, branch]
        return make(
            system,
            variant,
            f"{branch} accuracy",
            float(row["accuracy"]),
            float(row["accuracy_chance"]),
            int(row["n_test_segments"]),
            confidence,
        )

    both = float(table["demo", "both"]["accuracy"])
    single = max(float(table["demo", branch]["accuracy"]) for branch in ("pixel", "sample"))
    checks = [
        check(above_chance, "demo", "both", "planted"),
        at_least(
            system,
            "planted",
            "both accuracy - best single branch",
            both - single,
            0.0,
            "both branches at least as good as either alone",
        ),
    ]
    checks += [
        check(at_chance, "demo-null", branch, "null") for branch in ("both", "pixel", "sample")
    ]
    checks.append(check(above_chance, "demo-confound", "both", "confound"))
    for dataset, variant in (
        ("demo", "planted"),
        ("demo-null", "null"),
        ("demo-confound", "confound"),
    ):
        checks.append(check(above_chance, dataset, "time_only", variant))
    return checks


def mental_state_checks(
    task: str, rows: Sequence[Mapping], models: Sequence[str], *, confidence: float = 0.999
) -> list[Check]:
    """Emotion or cognitive load (the subject-wise rows of ``<task>/summary.csv``, each demo's
    and model's): each model's accuracy above the range of chance on the planted demo and
    inside it on the null demo; a row labelled leaky is refused."""
    table = {(row["dataset"], row["model"], row["protocol"]): row for row in rows}
    checks = []
    for model in models:
        for dataset, variant, make in (
            ("demo", "planted", above_chance),
            ("demo-null", "null", at_chance),
        ):
            row = table[dataset, model, "subject_wise"]
            _refuse_leaky(row, f"{task} {dataset} {model} subject_wise")
            checks.append(
                make(
                    task,
                    variant,
                    f"{model} subject_wise accuracy",
                    float(row["accuracy_mean"]),
                    float(row["chance_uniform"]),
                    int(row["n_test_segments"]),
                    confidence,
                )
            )
    return checks


def fusion_checks(rows: Sequence[Mapping], *, confidence: float = 0.999) -> list[Check]:
    """EEG + face fusion (rows of ``fusion/summary.csv``): per target, fusion's subject-wise
    balanced accuracy above the range of chance on the planted demo; every model inside it on
    the null demo; over the targets, fusion at least as good as the better single modality."""
    table = {(r["dataset"], r["target"], r["protocol"], r["model"]): r for r in rows}
    targets = list(dict.fromkeys(r["target"] for r in rows if r["dataset"] == "demo"))
    checks = []

    def score(dataset, target, model):
        row = table[dataset, target, "subject_wise", model]
        _refuse_leaky(row, f"fusion {dataset} {target} subject_wise {model}")
        return float(row["balanced_accuracy_mean"]), int(row["n_test_trials"])

    for target in targets:
        value, n_test = score("demo", target, "fusion")
        checks.append(
            above_chance(
                "fusion",
                "planted",
                f"{target} fusion balanced_accuracy",
                value,
                0.5,
                n_test,
                confidence,
            )
        )
        for model in ("eeg", "face", "fusion"):
            value, n_test = score("demo-null", target, model)
            checks.append(
                at_chance(
                    "fusion",
                    "null",
                    f"{target} {model} balanced_accuracy",
                    value,
                    0.5,
                    n_test,
                    confidence,
                )
            )
    mean = {
        model: sum(score("demo", target, model)[0] for target in targets) / len(targets)
        for model in ("eeg", "face", "fusion")
    }
    checks.append(
        at_least(
            "fusion",
            "planted",
            "fusion - better modality (mean over targets)",
            mean["fusion"] - max(mean["eeg"], mean["face"]),
            0.0,
            "fusion at least as good as the better single modality",
        )
    )
    return checks


def _refuse_leaky(row: Mapping, what: str) -> None:
    """A leaky protocol's row is a parity check, never a validation row."""
    if str(row["leaky"]) != "False":
        raise ValueError(f"{what}: the row is labelled leaky={row['leaky']}; expected False")


def validation_checks(
    tables: Mapping[str, Sequence[Mapping]],
    *,
    n_test_clips: int,
    full_mode_target: float,
    models: Mapping[str, Sequence[str]],
) -> list[Check]:
    """Every system's checks, from the summary tables that its demos end in.

    Parameters
    ----------
    tables : mapping of str to rows
        The rows of ``eeg2video`` (the planted demo's ``evaluation/summary.csv``),
        ``eeg2video_null`` (its null twin's) and ``eeg2image`` (its ``summary.csv``), and the
        subject-wise rows of the ``emotion``, ``workload`` and ``fusion`` summaries.
    n_test_clips : int
        Generated test clips of the EEG→video demo over all its subjects.
    full_mode_target : float
        The bound of the flagship's full-mode video 8-way.
    models : mapping of str to sequence of str
        The models of ``emotion`` and ``workload``.
    """
    return [
        *eeg2video_checks(
            tables["eeg2video"],
            tables["eeg2video_null"],
            n_test_clips=n_test_clips,
            full_mode_target=full_mode_target,
        ),
        *mental_state_checks("emotion", tables["emotion"], models["emotion"]),
        *mental_state_checks("workload", tables["workload"], models["workload"]),
        *fusion_checks(tables["fusion"]),
        *eeg2image_checks(tables["eeg2image"]),
    ]


class ValidationFailed(AssertionError):
    """A validation check did not clear its bound."""


def failed_checks(rows: Iterable[Mapping]) -> str | None:
    """One message naming every failed row of a validation table (system, variant, metric,
    value and bound), or None when every row passed."""
    failed = [row for row in rows if str(row["passed"]) != "True"]
    if not failed:
        return None
    lines = [
        f"  {row['system']} {row['variant']}: {row['metric']} = {float(row['value']):.4g}, "
        f"must be {row['bound']} ({row['basis']})"
        for row in failed
    ]
    return f"{len(failed)} validation check(s) failed:\n" + "\n".join(lines)
