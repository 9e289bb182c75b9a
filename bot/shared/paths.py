"""Where things live in the project tree: one place for every path the code reads or writes."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
MODELS_DIR = PROJECT_ROOT / "models"
RESULTS_DIR = PROJECT_ROOT / "results"
VAR_DIR = PROJECT_ROOT / "var"                       # generated at run time: logs, credentials, databases
SCRIPTS_DIR = PROJECT_ROOT / "scripts"
TESTS_DIR = PROJECT_ROOT / "tests"
EVAL_FILE = TESTS_DIR / "eval" / "nlu_eval.yml"      # the team's own evaluation set
REALQ_DIR = TESTS_DIR / "realq"                      # real questions copied from public pages
CHECK_DIR = TESTS_DIR / "lexicon"                    # questions written blind, for checking decisions (not trained on)
SOURCES_SUBDIR = Path("shared") / "sources"          # the official documents, beside the project
