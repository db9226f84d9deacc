"""The fitted ranking of answer candidates (bot.rank, bot.fit_rank)."""
import json

from bot import rank
from bot.match import Need, Needs


def _needs(scoped_name: str = "青禾科技") -> Needs:
    company = Need(scoped_name, frozenset({scoped_name}), 1.0, False, False, entity=True)
    margin = Need("毛利率", frozenset({"毛利率"}), 1.0, True, False)
    return Needs([company, margin], ["2024"], "value", "zh", False)


def _feats(sentence: str, scoped: set[str]) -> dict:
    needs = _needs()
    feats = rank.common(needs, sentence, sentence, sentence, scoped, [], None, 0, True)
    feats.update(hand=1.0, cov=1.0, kind=1.0, date=1.0, period=1.0, plan=1.0, cell=0.0, whole_row=0.0, define=0.0)
    return rank.finish(feats, needs)


def test_a_word_the_sentence_says_is_told_from_one_its_title_supplies():
    """Two sentences of a report whose title names the company: the one that names it itself
    differs from the one that leaves it to the title (the hand coverage counts both alike)."""
    said = _feats("青禾科技2024年毛利率为31.2%。", {"青禾科技"})
    implied = _feats("2024年毛利率为28.5%。", {"青禾科技"})
    assert said["scoped_said"] == 1.0 and implied["scoped_said"] == 0.0
    assert said["cov_own"] == implied["cov_own"]  # the measure, said by both
    assert said["cov_said"] > implied["cov_said"]


def test_every_fitted_feature_is_described():
    feats = _feats("青禾科技2024年毛利率为31.2%。", {"青禾科技"})
    assert set(rank.FEATURES) <= set(feats)


def test_weights_not_better_than_the_hand_score_in_cross_validation_are_not_used(tmp_path):
    weights = {"features": ["hand"], "coef": [1.0], "intercept": 0.0, "mean": [0.0], "scale": [1.0]}
    used, unused = tmp_path / "used.json", tmp_path / "unused.json"
    used.write_text(json.dumps({**weights, "use": True}), encoding="utf-8")
    unused.write_text(json.dumps({**weights, "use": False}), encoding="utf-8")
    assert rank.load(str(used)) is not None
    assert rank.load(str(unused)) is None


def test_without_a_model_candidates_rank_by_the_hand_score():
    class C:
        feats = {"hand": 0.3}
        score = 0.3

    cands = rank.ranked([C()], model=None) if rank.load() is None else []
    assert all(c.fitted == c.score for c in cands)


def test_fit_reproduces_the_shipped_weights():
    """The stored dump refitted gives the shipped weights exactly (`make refit`), with the
    cross-validation's verdict on whether they are used."""
    from bot.fit_rank import DUMP, cross_validate, fit, load_dump, top1

    shipped = json.loads(rank.WEIGHTS.read_text(encoding="utf-8"))
    rows = load_dump(DUMP)
    weights = fit(rows)
    assert all(weights[k] == shipped[k] for k in weights)
    ranked = [r for r in rows if r["path"] in ("text", "cell", "cell-text")]
    hand, cv = top1(rows, None), cross_validate(rows)
    assert shipped["hand_top1"] == sum(hand[r["q"]] for r in ranked)
    assert shipped["cv_top1"] == sum(cv[r["q"]] for r in ranked)
    assert shipped["use"] == (shipped["cv_top1"] > shipped["hand_top1"])
