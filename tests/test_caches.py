import pickle

import numpy as np
import pytest

from classifier.caches import DerivedCachesMixin
from classifier.features import LexiconFeatures
from classifier.tokens import TokenizedTexts
from classifier.vectorizers import CharNgramTfidf, WordNgramTfidf


class Scorer(DerivedCachesMixin):
    _derived_caches = ("_table",)

    def __init__(self):
        self.weights = [1, 2]

    def table(self):
        if "_table" not in self.__dict__:
            self._table = {"built": True}
        return self._table


def test_caches_stay_out_of_the_pickle_but_not_out_of_the_object():
    scorer = Scorer()
    scorer.table()
    state = pickle.loads(pickle.dumps(scorer)).__dict__
    assert state == {"weights": [1, 2]}
    # Pickling must not throw away the running object's cache.
    assert scorer.__dict__["_table"] == {"built": True}


@pytest.mark.parametrize("make, refit_params", [
    (lambda: WordNgramTfidf(min_df=1), {}),
    (lambda: CharNgramTfidf(min_df=1), {}),
    (lambda: LexiconFeatures({"neg": {"dreadful", "shameful"}}), {"lexicons": {"pos": {"heroic"}}}),
], ids=["words", "characters", "lexicons"])
def test_a_refitted_block_forgets_what_it_derived_from_its_previous_fit(make, refit_params):
    first = ["The council made a shameful decision.", "A dreadful plan."]
    second = ["Heroic rescuers saved the village.", "The vote was close.", "Dreadful."]
    block = make().fit(first)
    analysed = TokenizedTexts(first)
    block.weighted_sum(analysed, np.ones((block.n_features_out_, 1)))  # fills the caches
    block.set_params(**refit_params).fit(second)
    fresh = make().set_params(**refit_params).fit(second)
    probe = ["Heroic and heroic votes.", "A dreadful village council."]
    weights = np.arange(1, fresh.n_features_out_ + 1, dtype=float)[:, None]
    assert block.weighted_sum(TokenizedTexts(probe), weights).tolist() == \
        fresh.weighted_sum(TokenizedTexts(probe), weights).tolist()
