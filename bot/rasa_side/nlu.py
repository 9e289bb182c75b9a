"""Rasa NLU components of our own: `SpacyNLP` (below), `KanaToKanji` (hiragana questions) and
`FastLogisticRegressionClassifier` (Rasa's classifier, the same numbers, ~1 ms a message less).

`SpacyNLP` loads ja_ginza with only its SudachiPy tokenizer and word vectors: Rasa's SpacyTokenizer
and SpacyFeaturizer read token text, lemma and the static vectors, never the parser, NER or
morphologizer output, which cost ~18 ms a message. The class keeps the name `SpacyNLP` because
Rasa's recipe finds the model provider of the spaCy components by that class name.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP

UNUSED_GINZA_COMPONENTS = [
    "tok2vec",
    "parser",
    "ner",
    "morphologizer",
    "compound_splitter",
    "bunsetu_recognizer",
]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(RasaSpacyNLP):
    """SpacyNLP without the spaCy pipeline components that Rasa does not use."""

    @staticmethod
    def load_model(spacy_model_name: Text) -> SpacyModel:
        import spacy

        language = spacy.load(spacy_model_name, exclude=UNUSED_GINZA_COMPONENTS)
        return SpacyModel(model=language, model_name=spacy_model_name)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False,
)
class KanaToKanji(GraphComponent):
    """Hiragana written for a domain term becomes the term before tokenizing: 「だいりこうふの
    ひつようしょるい」 → 「代理交付の必要書類」, so the classifier reads it like the kanji question.

    The terms and their readings come from the concept lexicon (knowledge/concepts.yml, read by
    bot.shared.concepts); only runs of four or more hiragana are rewritten. Training data is left as it is.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KanaToKanji":
        from bot.shared.concepts import load_lexicon

        load_lexicon()   # readings (SudachiPy) computed when the model loads, not on the first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.shared.concepts import kana_to_terms

        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, kana_to_terms(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier with its coefficients kept column-major once loaded.

    scikit-learn scores a message as `features @ coef_.T`; with the row-major `coef_` it keeps after
    training, scipy first copies `coef_.T` (intents × char n-grams: 65 × 17,428 floats) into a
    contiguous array — 1.2 ms of every message. Column-major, `coef_.T` is contiguous already (0.05 ms).
    The numbers are the same (tests/test_nlu_eval.py).
    """

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> "FastLogisticRegressionClassifier":
        import numpy as np

        component = super().load(*args, **kwargs)
        if hasattr(component.clf, "coef_"):
            component.clf.coef_ = np.asfortranarray(component.clf.coef_)
        return component
