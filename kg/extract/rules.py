"""Word lists and pure predicates behind kg's extraction rules.

Each rule that produces a mention is named here (``RULE_*``) so a mention always says which
rule found it, and has a prior confidence (``RULE_CONFIDENCE``) used until calibration.
"""

from __future__ import annotations

import re

__all__ = [
    "METHOD_HEADS", "TECHNIQUE_HEADS", "EPONYM_HEADS", "TASK_STOP_MODIFIERS", "ADJECTIVE_SUFFIXES", "LANGUAGES", "DATASET_HEADS", "TASK_HEADS", "PROPOSAL_CUES", "INTRO_DATA_CUES",
    "EVAL_CUES", "COMPARISON_CUES", "NAMING_CUES", "STOP_MODIFIERS", "RULE_CONFIDENCE",
    "is_coined", "is_acronym", "head_type", "looks_like_name", "compared_in",
]

# Heads that make a phrase a method, a dataset or a task ("X network", "X dataset", "X detection").
METHOD_HEADS = frozenset("""
network networks net nets model models transformer transformers algorithm algorithms
architecture architectures module modules block blocks layer layers mechanism mechanisms
loss losses optimizer optimizers optimization learning attention encoder encoders decoder
decoders autoencoder autoencoders regression classifier classifiers machine machines estimator
estimators sampler samplers search descent distillation augmentation kernel kernels
embedding embeddings tuning adaptation pruning quantization operator operators flow flows
ensemble ensembles forest forests tree trees strategy scheme technique procedure
process processes field fields regularization regularizer normalization dropout sampling
inference filter filters memory gate gates head heads policy routing pooling convolution
convolutions graph-network perceptron perceptrons machine method methods framework
""".split())
# Heads of technique names written in lower case ("graph pooling", "convex relaxation").
# Narrower than METHOD_HEADS: "model", "method" and "framework" in lower case are rarely names.
TECHNIQUE_HEADS = frozenset("""
attention pooling pruning distillation augmentation regularization regularisation
quantization encoding decomposition factorization relaxation approximation descent
sampling regression search solver solvers filter filters transform propagation encoder
encoders decoder decoders autoencoder autoencoders transformer transformers classifier
classifiers estimator algorithm algorithms convolution convolutions perceptron perceptrons
forest forests scheduler schedulers
padding programming iteration acceleration potential potentials encryption
""".split())
# Lower-case heads after a proper name that make a named technique: "Bradley-Terry model",
# "Koopman operator", "Hartree-Fock approximation", "Kullback-Leibler divergence".
EPONYM_HEADS = TECHNIQUE_HEADS | frozenset("""
dynamics kernel kernels learning optimization loss model models operator operators divergence equation equations process
processes distribution distributions chain chains test method methods theory
""".split())
DATASET_HEADS = frozenset("""
dataset datasets data-set benchmark benchmarks corpus corpora database databases suite
testbed treebank
""".split())
TASK_HEADS = frozenset("""
detection classification segmentation recognition prediction estimation forecasting
generation translation answering retrieval parsing tracking localization localisation
captioning summarization summarisation reconstruction synthesis completion identification
separation enhancement decoding registration inpainting super-resolution denoising
pan-sharpening imputation clustering matching verification extraction labeling labelling
tagging editing navigation manipulation grasping diagnosis discovery quantification
recommendation reasoning understanding planning alignment compression interpolation
transcription diarization spotting grounding restoration deblurring dehazing optimization
selection
optimisation allocation scheduling monitoring unlearning routing
""".split())

# Sentence cues for roles.
PROPOSAL_CUES = (
    "we propose", "we introduce", "we present", "we develop", "we design", "we devise",
    "we put forward", "we formulate", "we build", "we create", "we construct", "we train",
    "this paper proposes", "this paper introduces", "this paper presents",
    "this work proposes", "this work introduces", "this work presents", "this study proposes",
    "this study introduces", "this study presents", "is proposed", "are proposed",
    "is introduced", "here we propose", "here we introduce", "our proposed", "novel",
)
INTRO_DATA_CUES = (
    "we introduce", "we present", "we release", "we construct", "we create", "we collect",
    "we curate", "we build", "we propose", "we contribute", "new dataset", "new benchmark",
    "novel dataset", "novel benchmark", "publicly release", "make publicly available",
)
EVAL_CUES = (
    "evaluate", "evaluated", "evaluation", "experiments on", "results on", "tested on",
    "benchmark", "outperform", "achieve", "state-of-the-art", "on the",
)
COMPARISON_CUES = (
    "outperform", "compared", "compare", "than", "over ", "baseline", "unlike", "versus",
    " vs", "such as", "including", "like ", "e.g.", "existing", "previous", "prior",
)
NAMING_CUES = frozenset({"called", "named", "dubbed", "termed", "coined"})

# Words that stop a leftward modifier scan for task and method phrases.
STOP_MODIFIERS = frozenset("""
a an the this that these those our their its his her we they it is are was were be been
being of in on for to with by from as at into via and or but not no nor than then so such
both each every all any some many much more most few fewer less least other another
can could may might will would should must shall do does did has have had which who whom
whose what when where while how why also only just very well new novel existing various
through throughout thus hence yet still even further furthermore moreover however
several different same based using use used uses via toward towards between among across
without within under over after before during about against along upon high low large
small better best good strong robust efficient effective accurate simple general
""".split())

# Words that end a leftward scan for a *task* phrase: verbs that take a task as object and
# evaluative adjectives ("enhance animal detection", "complex reasoning", "final prediction").
# Without a tagger these are listed; they are common academic English, not corpus names.
TASK_STOP_MODIFIERS = STOP_MODIFIERS | frozenset("""
avoid advance enhance leverage internalize internalise explore study support improve enable
perform achieve facilitate boost conduct address tackle require allow provide show
demonstrate outperform evaluate assess investigate examine analyze analyse consider apply
aid accelerate automate benefit complement drive ensure exhibit extend guide help hinder
impact inform lack limit make need offer pose promote reduce remain render scale solve
streamline target undergo unlock yield optimize optimise
complex comprehensive deep deeper impressive modern final later significant common multiple
interpretable fast faster precise reliable scalable accurate challenging difficult hard easy
key main major minor overall powerful practical real real-world remarkable superior
traditional typical conventional current recent standard basic advanced sophisticated
downstream upstream subsequent previous prior initial explicit implicit diverse numerous
massive extensive broad wide whole full entire crucial critical essential important
additional auxiliary classical specific exhaustive future potential lucky coarse approximate
up down out exact generalize generalise entail entails invoke invokes employ employs utilize
utilise adopt adopts use uses larger smaller higher lower greater bigger longer shorter per
first second third last next single two three dual several own same proposed underlying
four five six seven eight nine ten align learn interpret beyond successful stable latest
""".split())

# Natural languages: "experiments on English and Chinese" lists languages, not datasets.
LANGUAGES = frozenset("""
english chinese mandarin cantonese japanese korean arabic french german spanish portuguese
italian russian hindi urdu bengali turkish persian farsi czech polish dutch swedish finnish
danish norwegian greek hebrew vietnamese thai indonesian malay swahili ukrainian romanian
hungarian catalan basque tamil telugu marathi gujarati punjabi amharic yoruba hausa zulu
""".split())

# Suffixes of hyphenated adjectives: "CNN-based", "PDE-constrained", "FlashAttention-compatible"
# describe a thing, they do not name one.
ADJECTIVE_SUFFIXES = frozenset("""
based constrained compatible generated assisted aware driven free guided like specific level
style type oriented agnostic enabled powered centric only scale wise dependent independent
informed inspired related augmented conditioned induced friendly ready native supervised
""".split())

RULE_CONFIDENCE: dict[str, float] = {
    "gazetteer": 0.85,
    "gazetteer-ambiguous": 0.6,
    "abbreviation": 0.85,
    "title-colon": 0.9,
    "naming-cue": 0.9,
    "proposal-cue": 0.8,
    "coined-name": 0.6,
    "dataset-head": 0.8,
    "method-head": 0.6,
    "task-head": 0.55,
    "acronym": 0.45,
    "abbreviation-titlecase": 0.65,
    "eponym-head": 0.65,
    "technique-head": 0.5,
    "title-phrase": 0.55,
    "dataset-list": 0.7,
    "method-list": 0.55,
    "method-extension": 0.55,
    "task-phrase": 0.5,
    "task-list": 0.5,
}

_COINED = re.compile(r"^(?=.*[a-z])(?=.*[A-Z].*[A-Z])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]*[A-Z0-9](?:-[A-Z0-9]+)*s?$")


# Words before a method that say the paper measures itself against it.
_COMPARED_BEFORE = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat(?:s|ing)?|exceed\w*|than|unlike|versus|vs\.?|against|"
    r"compared\s+(?:to|with)|comparison\s+(?:to|with)|compare[sd]?\s+(?:it\s+|them\s+)?(?:to|with)|"
    r"relative\s+to|superior\s+to|improv\w*\s+(?:up)?on|improvements?\s+over|gains?\s+over|"
    r"baselines?(?:\s+such\s+as|\s+including|,\s+including)?)\b"
    r"(?:(?!\b(?:while|whereas|but|which|that|where|we)\b)[^.;:]){0,60}$",
    re.IGNORECASE)
_COMPARED_AFTER = re.compile(r"^\W{0,3}(?:baselines?|competitors?)\b", re.IGNORECASE)
#: Every word _COMPARED_BEFORE needs contains one of these (lower case).
_COMPARED_STEMS = ("outperform", "surpass", "beat", "exceed", "than", "unlike", "versus", "vs",
                   "against", "compar", "relative", "superior", "improv", "gain", "baseline")


def compared_in(sentence: str, text: str) -> bool:
    """The sentence compares against the method named ``text``.

    A comparison word stands before the name in the same clause ("outperforms X", "unlike X",
    "compared with X", "better than X", "baselines such as X"), or "baseline" follows it.

    >>> compared_in("Our model outperforms BERT and RoBERTa on GLUE.", "RoBERTa")
    True
    >>> compared_in("We fine-tune BERT on GLUE.", "BERT")
    False
    >>> compared_in("Unlike PPO, our method needs no critic.", "PPO")
    True
    >>> compared_in("It beats the LSTM baseline.", "LSTM")
    True
    """
    at = sentence.find(text)
    if at < 0:
        return False
    before = sentence[max(0, at - 160):at]
    low = before.lower()  # the regex needs one of these stems: most sentences have none
    return bool(any(w in low for w in _COMPARED_STEMS) and _COMPARED_BEFORE.search(before)
                or _COMPARED_AFTER.match(sentence[at + len(text):]))


def is_coined(text: str) -> bool:
    """A coined name: mixed case with an inner capital (``PanFlowNet``, ``BrainBERT``, ``CMoE``).

    >>> [is_coined(t) for t in ["PanFlowNet", "BrainBERT", "CMoE", "Transformer", "EEG", "iPhone", "SpikingBrain-7B", "BCIs"]]
    [True, True, True, False, False, False, True, False]
    """
    if is_acronym(text):  # "BCIs", "CNNs": plural acronyms are not coined names
        return False
    return bool(_COINED.match(text)) and text[0].isupper() and len(text) >= 3


def is_acronym(text: str) -> bool:
    """All capitals (digits allowed): ``GRU``, ``RLHF``, ``GPT-2``.

    >>> [is_acronym(t) for t in ["GRU", "GPT-2", "CNNs", "Adam", "A"]]
    [True, True, True, False, False]
    """
    return bool(_ACRONYM.match(text)) and len(text) >= 2


def head_type(word: str) -> str | None:
    """``"Method"``, ``"Dataset"`` or ``"Task"`` for a phrase's head word, else None.

    >>> [head_type(w) for w in ["Networks", "benchmark", "segmentation", "results"]]
    ['Method', 'Dataset', 'Task', None]
    """
    return HEAD_TYPES.get(word.lower())


#: Lower-case head word -> its type (a word in several head lists: Dataset, then Task).
HEAD_TYPES: dict[str, str] = {
    **dict.fromkeys(METHOD_HEADS, "Method"), **dict.fromkeys(TASK_HEADS, "Task"),
    **dict.fromkeys(DATASET_HEADS, "Dataset")}


def looks_like_name(text: str) -> bool:
    """A token that can start or be a proper name: capitalised, coined, acronym or with digits.

    >>> [looks_like_name(t) for t in ["DeeperBrain", "ImageNet-1K", "the", "Results"]]
    [True, True, False, True]
    """
    return bool(text) and (text[0].isupper() or is_coined(text) or any(c.isdigit() for c in text)) \
        and any(c.isalpha() for c in text)
