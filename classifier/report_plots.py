"""Plots for a training report (PNG via matplotlib, an optional dependency)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_curve

from .evaluation import reliability_curve, sentence_task

__all__ = ["plot_report"]


def plot_report(model, sentence_sets, directory: Path) -> list[Path]:
    """Reliability diagram, PR curve and confusion matrix for each sentence task.

    Returns the written files; none when matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on servers and CI
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    for task, records in sentence_sets.items():
        attribute, head = sentence_task(task)
        records = [r for r in records if getattr(r, attribute) is not None]
        if not records:
            continue
        y = np.array([getattr(r, attribute) for r in records])
        p = model.score_sentences([r.text for r in records])[head]
        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        curve = reliability_curve(y, p)
        axes[0].plot([0, 1], [0, 1], ":", color="grey", label="perfect")
        axes[0].plot([c[0] for c in curve], [c[1] for c in curve], "o-", label=head)
        axes[0].set(title=f"Reliability: {task}", xlabel="predicted probability",
                    ylabel="observed rate", xlim=(0, 1), ylim=(0, 1))
        axes[0].legend()
        precision, recall, _ = precision_recall_curve(y, p)
        axes[1].plot(recall, precision)
        axes[1].set(title=f"Precision-recall: {task}", xlabel="recall", ylabel="precision",
                    xlim=(0, 1), ylim=(0, 1.02))
        matrix = confusion_matrix(y, (p >= 0.5).astype(int), labels=[0, 1])
        axes[2].imshow(matrix, cmap="Blues")
        for (i, j), count in np.ndenumerate(matrix):
            axes[2].text(j, i, str(count), ha="center", va="center")
        axes[2].set(title=f"Confusion at 0.5: {task}", xticks=[0, 1], yticks=[0, 1],
                    xlabel="predicted", ylabel="true")
        fig.tight_layout()
        path = directory / f"{task.replace(':', '-')}.png"  # bias:mydata -> bias-mydata.png
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written
