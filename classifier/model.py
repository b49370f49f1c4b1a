"""The Slant model: build, score, save, load and verify.

A :class:`SlantModel` bundles fitted scikit-learn estimators:

- ``features``: a ``FeatureUnion`` turning sentences into one sparse matrix
  (word and character TF-IDF, lexicon shares), shared by both sentence heads;
- ``heads["loaded"]`` and ``heads["stance"]``: calibrated logistic regressions;
- ``tagger``: a :class:`~classifier.tagger.TermTagger` for loaded words;
- ``polarity``: a :class:`~classifier.tagger.TermPolarity`;
- ``stacks``: for some heads, a :class:`~classifier.stacking.WordEvidenceStack` that
  combines the head's probability with the tagger's strongest word in the sentence.

On disk a model is a directory holding ``model.pkl.xz``, ``metadata.json``
(versions, data hashes, metrics, the artifact's sha256) and ``MODEL_CARD.md``.
:func:`load_model` refuses an artifact whose hash or scikit-learn version does not
match its metadata.

The artifact is a pickle (protocol 5) compressed with xz rather than a joblib file:
joblib unpickles with the pure-Python ``Unpickler`` to special-case numpy arrays, which
takes over a second on the model's vocabularies; the C unpickler needs about a tenth.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import pickle
import platform
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from .caches import DerivedCachesMixin
from .errors import ModelError, ModelIntegrityError, ModelNotFoundError, ModelVersionError
from .stacking import tagger_peaks
from .tokens import TokenizedTexts

__all__ = [
    "SlantModel",
    "load_model",
    "save_model",
    "default_model_path",
    "list_models",
    "ARTIFACT_NAME",
    "METADATA_NAME",
    "CARD_NAME",
]

ARTIFACT_NAME = "model.pkl.xz"
METADATA_NAME = "metadata.json"
CARD_NAME = "MODEL_CARD.md"
HEADS = ("loaded", "stance")


@dataclass
class SlantModel(DerivedCachesMixin):
    """Fitted estimators plus the metadata they were saved with."""

    _derived_caches = ("_linear_cache", "_feature_names")

    features: Any
    heads: dict[str, Any]
    tagger: Any
    polarity: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    stacks: dict[str, Any] = field(default_factory=dict)

    def _linear_heads(self):
        """:func:`_stack_linear_heads` of ``self.heads``, cached until the heads change."""
        heads = tuple(self.heads.values())
        cached = getattr(self, "_linear_cache", None)
        if cached is None or len(cached[0]) != len(heads) or any(
            a is not b for a, b in zip(cached[0], heads, strict=True)
        ):
            cached = (heads, _stack_linear_heads(self.heads))
            self._linear_cache = cached
        return cached[1]

    def _blocks(self) -> list[Any] | None:
        """The feature union's transformers, when its output is just their blocks side by
        side (an unweighted ``FeatureUnion``); ``None`` otherwise."""
        union = self.features
        if getattr(union, "transformer_weights", None) or not hasattr(union, "transformer_list"):
            return None
        return [t for _, t in union.transformer_list if t not in ("drop", None)]

    def sentence_matrix(self, texts: list[str]):
        """Feature matrix of shape (n_sentences, n_features) for ``texts``.

        The same matrix as ``self.features.transform(texts)`` for an unweighted
        ``FeatureUnion``, without its per-call dispatch overhead.
        """
        blocks = self._blocks()
        if blocks is None:
            return self.features.transform(texts)
        return sp.hstack([t.transform(texts) for t in blocks], format="csr")

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Models saved before stacks existed have none.
        self.__dict__.update({"stacks": {}, **state})

    def sentence_peaks(self, texts: list[str]) -> np.ndarray:
        """The tagger's highest word probability in each of ``texts``."""
        return tagger_peaks(self.tagger, texts)

    def score_sentences(self, texts: list[str], matrix=None,
                        peaks: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Calibrated probabilities of each head for ``texts``, in one vectorised call.

        Without ``matrix``, linear sigmoid-calibrated heads (the default model's) are
        scored block by block: each feature block times its slice of all heads' weights,
        so the full matrix is never assembled. A head with a stack then combines its
        probability with ``peaks`` (:meth:`sentence_peaks`, computed here when not given).

        Returns
        -------
        dict of str -> ndarray of shape (n_sentences,)
        """
        if not texts:
            return {head: np.zeros(0) for head in self.heads}
        scores = self._head_probabilities(texts, matrix)
        if self.stacks:
            if peaks is None:
                peaks = self.sentence_peaks(texts)
            for head, stack in self.stacks.items():
                scores[head] = stack.combine(scores[head], peaks)
        return scores

    def _head_probabilities(self, texts: list[str], matrix) -> dict[str, np.ndarray]:
        """Each head's own calibrated probabilities (before any stack)."""
        linear = self._linear_heads() if matrix is None else None
        blocks = self._blocks() if linear is not None else None
        if linear is None or blocks is None:
            if matrix is None:
                matrix = self.sentence_matrix(texts)
            return {head: _positive_probability(model, matrix)
                    for head, model in self.heads.items()}
        weights, intercepts, slopes, offsets = linear
        # The word and lexicon blocks share one tokenising pass (the analyzer passes
        # TokenizedTexts made from the tagger's words).
        if not isinstance(texts, TokenizedTexts):
            texts = TokenizedTexts(texts)
        decision = np.tile(intercepts, (len(texts), 1))
        column = 0
        for block in blocks:
            width = _output_width(block)
            block_weights = weights[column:column + width]
            if hasattr(block, "weighted_sum"):
                decision += block.weighted_sum(texts, block_weights)
            else:
                decision += block.transform(texts) @ block_weights
            column += width
        probabilities = 1.0 / (1.0 + np.exp(slopes * decision + offsets))
        return {head: probabilities[:, i] for i, head in enumerate(self.heads)}

    def explain(self, matrix, head: str, top: int = 5,
                strongest: list[tuple[str, float]] | None = None) -> list[list[dict[str, Any]]]:
        """The features that pushed each sentence's ``head`` score up or down the most.

        A feature's contribution is its value times the logistic-regression weight
        (before calibration, which is monotone and so keeps the order). For a head with a
        stack, contributions are scaled by the stack's weight on the head, and the
        sentence's strongest word (``strongest[i]`` is its text and probability, ``("",
        0.0)`` for a sentence without words) competes as the feature ``terms__<word>``
        with its contribution relative to a typical sentence's strongest word.
        """
        weights = _linear_weights(self.heads[head])
        stack = self.stacks.get(head)
        if stack is not None:
            if strongest is None:
                raise ValueError(f"explaining the stacked head {head!r} needs `strongest`")
            weights = weights * stack.coef_[0]
            pushes = stack.peak_contribution(np.array([p for _, p in strongest]))
        names = self.feature_names()
        contributions = matrix.multiply(weights).tocsr()
        out = []
        for row in range(contributions.shape[0]):
            start, end = contributions.indptr[row], contributions.indptr[row + 1]
            cols, values = contributions.indices[start:end], contributions.data[start:end]
            labels = [names[c] for c in cols]
            if stack is not None and strongest[row][0]:
                labels.append(f"terms__{strongest[row][0].lower()}")
                values = np.append(values, pushes[row])
            order = np.argsort(-np.abs(values))[:top]
            out.append(
                [{"feature": labels[i], "weight": round(float(values[i]), 4)} for i in order]
            )
        return out

    def feature_names(self) -> np.ndarray:
        return self._derived_cache("_feature_names", self.features.get_feature_names_out)

    @property
    def info(self) -> dict[str, Any]:
        """Name, version and training-data summary, as reported in every result."""
        meta = self.metadata
        return {
            "name": meta.get("name", "unnamed"),
            "version": meta.get("version", "0"),
            "trained_on": meta.get("training_data", {}).get("summary", ""),
        }


def _positive_probability(head, matrix) -> np.ndarray:
    """``head.predict_proba(matrix)[:, 1]``, computed directly for the usual head.

    A calibrated linear head (``CalibratedClassifierCV(ensemble=False)``) is a dot product
    and a sigmoid; scikit-learn's general path spends far longer validating its input
    than computing, which matters when an article's sentences are scored per request.
    """
    linear = _sigmoid_calibrated_linear(head)
    if linear is None:
        return head.predict_proba(matrix)[:, 1]
    weights, intercept, slope, offset = linear
    decision = np.asarray(matrix @ weights).ravel() + intercept
    return 1.0 / (1.0 + np.exp(slope * decision + offset))


def _output_width(block) -> int:
    """Number of columns a fitted transformer outputs."""
    width = getattr(block, "n_features_out_", None)
    return int(width) if width is not None else len(block.get_feature_names_out())


def _sigmoid_calibrated_linear(head) -> tuple[np.ndarray, float, float, float] | None:
    """(weights, intercept, a, b) of a head that is ``CalibratedClassifierCV(ensemble=False,
    method="sigmoid")`` over a linear model: P = 1 / (1 + exp(a * (X @ w + c) + b)).
    ``None`` for any other kind of head."""
    calibrated = getattr(head, "calibrated_classifiers_", None)
    if calibrated is None or len(calibrated) != 1 or len(calibrated[0].calibrators) != 1:
        return None
    estimator, calibrator = calibrated[0].estimator, calibrated[0].calibrators[0]
    if (not hasattr(estimator, "coef_") or getattr(calibrated[0], "method", "sigmoid") != "sigmoid"
            or not hasattr(calibrator, "a_")):
        return None
    return (np.asarray(estimator.coef_, dtype=np.float64).ravel(),
            float(np.ravel(estimator.intercept_)[0]), float(calibrator.a_), float(calibrator.b_))


def _stack_linear_heads(heads: dict[str, Any]):
    """All heads as one linear map: (weights of shape (n_features, n_heads), intercepts,
    slopes, offsets), or ``None`` when a head is not a sigmoid-calibrated linear model."""
    parts = [_sigmoid_calibrated_linear(head) for head in heads.values()]
    if not parts or any(part is None for part in parts):
        return None
    # Stored head-major so that each head's weights are contiguous (see
    # vectorizers._weighted_rows); the transposed view has shape (n_features, n_heads).
    return (np.array([w for w, _, _, _ in parts]).T,
            np.array([c for _, c, _, _ in parts]),
            np.array([a for _, _, a, _ in parts]),
            np.array([b for _, _, _, b in parts]))


def _linear_weights(head) -> np.ndarray:
    """Weights of the linear model inside a (possibly calibrated) head."""
    if hasattr(head, "coef_"):
        return np.asarray(head.coef_).ravel()
    calibrated = head.calibrated_classifiers_
    return np.mean([np.asarray(c.estimator.coef_).ravel() for c in calibrated], axis=0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def runtime_versions() -> dict[str, str]:
    """Versions that must match between training and loading (the first strictly)."""
    import scipy

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


class _CanonicalPickler(pickle._Pickler):
    """A pickler that writes each distinct string once, whatever the strings' identity.

    The C pickler shares a string only when it meets the same object again, and which
    equal strings are one object depends on the process's history: CPython shares the
    attribute names of a class's instances, and unpickling a model first (sklearn's
    ``__setstate__``) leaves its own copies of them there. With the C pickler, a model
    trained after loading another pickled to other bytes; with this one the bytes depend
    on the model only. It is the standard library's Python pickler (``pickle._Pickler``,
    the reference the C one mirrors): about a second for the default model.
    """

    def __init__(self, file, protocol: int) -> None:
        super().__init__(file, protocol=protocol)
        self._strings: dict[str, str] = {}

    def save_str(self, obj: str) -> None:
        first = self._strings.setdefault(obj, obj)
        if first is not obj:
            self.save(first)  # memoised when it was written: a reference
            return
        super().save_str(obj)

    dispatch = {**pickle._Pickler.dispatch, str: save_str}


def save_model(model: SlantModel, directory: Path | str, metadata: dict[str, Any]) -> Path:
    """Write the artifact (``model.pkl.xz``) and ``metadata.json`` into ``directory``.

    The metadata gains ``versions`` and ``artifact`` (file name, size, sha256); the
    model card is written separately by :func:`classifier.training.write_model_card`.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT_NAME
    bare = SlantModel(model.features, model.heads, model.tagger, model.polarity, metadata={},
                      stacks=dict(model.stacks))
    with lzma.open(artifact, "wb", preset=6) as handle:
        _CanonicalPickler(handle, protocol=5).dump(bare)
    metadata = {
        **metadata,
        "versions": runtime_versions(),
        "artifact": {
            "file": ARTIFACT_NAME,
            "bytes": artifact.stat().st_size,
            "sha256": _sha256(artifact),
        },
    }
    (directory / METADATA_NAME).write_text(json.dumps(metadata, indent=2, sort_keys=False) + "\n")
    model.metadata = metadata
    return directory


def _models_root() -> Path:
    """Where the committed models live: installed package data, or the source checkout."""
    try:
        return Path(str(resources.files("classifier.models")))
    except ModuleNotFoundError:
        # Running from a source tree over a non-editable install: ``classifier`` is the
        # checkout's, which has no ``models`` subpackage; the models sit beside it.
        return Path(__file__).resolve().parent.parent / "models"


def default_model_path() -> Path:
    """``$SLANT_MODEL`` if set, else the default model installed with the package."""
    configured = os.environ.get("SLANT_MODEL")
    if configured:
        return Path(configured)
    return _models_root() / "default"


def _resolve(path: Path | str | None) -> Path:
    path = default_model_path() if path is None else Path(path)
    if path.is_file() and path.name == METADATA_NAME:
        path = path.parent
    if path.is_file():
        path = path.parent
    if not (path / ARTIFACT_NAME).is_file():
        raise ModelNotFoundError(f"no model at {path} (expected {ARTIFACT_NAME} there)")
    if not (path / METADATA_NAME).is_file():
        raise ModelIntegrityError(f"model at {path} has no {METADATA_NAME}; refusing to load")
    return path


def read_metadata(path: Path | str | None = None) -> dict[str, Any]:
    """The metadata of the model at ``path`` (a model directory), without loading it."""
    directory = _resolve(path)
    try:
        return json.loads((directory / METADATA_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelIntegrityError(f"unreadable {METADATA_NAME} in {directory}: {exc}") from exc


def load_model(path: Path | str | None = None) -> SlantModel:
    """Load and verify a model directory (default: :func:`default_model_path`).

    Raises
    ------
    ModelNotFoundError
        Nothing at ``path``.
    ModelIntegrityError
        The artifact's sha256 differs from its metadata, or it cannot be unpickled.
    ModelVersionError
        The installed scikit-learn differs from the one that trained the model.
    """
    directory = _resolve(path)
    metadata = read_metadata(directory)
    expected = metadata.get("artifact", {}).get("sha256")
    artifact = directory / ARTIFACT_NAME
    actual = _sha256(artifact)
    if expected != actual:
        raise ModelIntegrityError(
            f"{artifact} does not match its metadata (sha256 {actual[:12]}..., expected "
            f"{str(expected)[:12]}...); the file is truncated or was modified"
        )
    trained_with = metadata.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelVersionError(
            f"model at {directory} was trained with scikit-learn {trained_with}, but "
            f"{sklearn.__version__} is installed; install scikit-learn=={trained_with} "
            "or retrain with `python train.py`"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            with lzma.open(artifact, "rb") as handle:
                model = pickle.load(handle)
    except InconsistentVersionWarning as exc:
        raise ModelVersionError(str(exc)) from exc
    except Exception as exc:  # unpickling can fail in many ways; all mean a bad artifact
        raise ModelIntegrityError(f"cannot load {artifact}: {exc}") from exc
    if not isinstance(model, SlantModel):
        raise ModelIntegrityError(f"{artifact} does not hold a Slant model")
    model.metadata = metadata
    return model


def list_models(root: Path | str | None = None) -> list[dict[str, Any]]:
    """Model directories under ``root`` (default: the installed models), with metadata."""
    root = Path(root) if root else _models_root()
    found = []
    for meta_path in sorted(root.rglob(METADATA_NAME)):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        found.append({"path": str(meta_path.parent), **{k: meta.get(k) for k in
                      ("name", "version", "created")}})
    if not found and not root.exists():
        raise ModelError(f"no models folder at {root}")
    return found
