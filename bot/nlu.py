"""Rasa NLU components of our own.

`SpacyNLP` loads ja_ginza with only its SudachiPy tokenizer and word vectors: Rasa's SpacyTokenizer
and SpacyFeaturizer read token text, lemma and the static vectors, never the parser, NER or
morphologizer output, which cost ~18 ms a message. The class keeps the name `SpacyNLP` because
Rasa's recipe finds the model provider of the spaCy components by that class name.
"""
from __future__ import annotations

from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
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
