import pickle

from classifier.caches import DerivedCachesMixin


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
