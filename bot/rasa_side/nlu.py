"""Rasa NLU components of our own: `SpacyNLP` (below) and `KanaToKanji` (hiragana questions).

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
