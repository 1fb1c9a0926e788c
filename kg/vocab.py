"""kg's RDF vocabulary as a closed namespace: the Python mirror of ``ontology/kg.ttl``.

``KG.Paper`` is ``https://w3id.org/kg/ontology#Paper``; a term that ``kg.ttl`` does not define
raises ``AttributeError`` (``_fail = True``), so a typo in an exporter fails at once instead of
minting an undefined IRI. ``tests/test_rdf.py`` checks that this class and ``kg.ttl`` list the
same terms.

>>> KG.evaluatesOn
rdflib.term.URIRef('https://w3id.org/kg/ontology#evaluatesOn')
>>> KG.evaluatedOn
Traceback (most recent call last):
...
AttributeError: term 'evaluatedOn' not in namespace 'https://w3id.org/kg/ontology#'
"""

from __future__ import annotations

# The module, not its names: pytest's doctest finder probes every class in this module's
# namespace, and rdflib's open DefinedNamespace base class warns on each probe.
import rdflib.namespace as _ns
from rdflib.term import URIRef

from kg.schema import ONTOLOGY_NS

__all__ = ["KG"]


class KG(_ns.DefinedNamespace):
    """kg ontology (``ontology/kg.ttl``)."""

    _NS = _ns.Namespace(ONTOLOGY_NS)
    _fail = True

    # classes
    Paper: URIRef  # A scientific paper (title, abstract, metadata).
    Method: URIRef  # A named method, model, architecture, algorithm or technique.
    Dataset: URIRef  # A named dataset, benchmark or corpus.
    Task: URIRef  # A named research problem a paper addresses or evaluates on.
    Domain: URIRef  # A research domain of kg's SKOS domain taxonomy.
    Author: URIRef  # A person named as an author of a paper.
    CodeRepository: URIRef  # A source code repository linked from a paper.
    Evidence: URIRef  # The mention that supports a paper-to-entity statement.

    # relations (object properties)
    proposes: URIRef  # The paper introduces this method.
    uses: URIRef  # The paper uses, builds on or compares against this existing method.
    comparesWith: URIRef  # The paper compares against this existing method; it also USES it.
    introduces: URIRef  # The paper creates or releases this dataset or benchmark.
    evaluatesOn: URIRef  # The paper reports results on this existing dataset or benchmark.
    addresses: URIRef  # The paper addresses or evaluates on this task.
    inDomain: URIRef  # The paper belongs to this research domain.
    hasCode: URIRef  # The paper's code is in this repository.
    authoredBy: URIRef  # The paper is written by this author.
    appliedIn: URIRef  # Derived: papers in this domain propose or use this method.
    broader: URIRef  # The domain's broader domain in the taxonomy.

    # evidence properties
    sentence: URIRef  # The sentence around the mention.
    start: URIRef  # Start offset of the mention in its field.
    end: URIRef  # End offset of the mention in its field.
    field: URIRef  # title, abstract or categories+text.
    rule: URIRef  # The extraction rule that fired.
    confidence: URIRef  # Confidence in [0, 1].
    count: URIRef  # Mentions of the entity in the paper.

    # node properties
    id: URIRef  # kg's stable id, shared with Neo4j.
    name: URIRef  # Canonical name.
    aliases: URIRef  # Other surface forms.
    title: URIRef  # Paper title.
    abstract: URIRef  # Paper abstract.
    date: URIRef  # Publication date.
    year: URIRef  # Publication year.
    authors: URIRef  # Author names.
    authorCount: URIRef  # Number of authors.
    categories: URIRef  # Source categories (arXiv and others).
    doi: URIRef  # DOI.
    arxivId: URIRef  # arXiv id.
    source: URIRef  # Where the record was read from.
    top: URIRef  # Name of the domain's top concept.
    arxivCategories: URIRef  # arXiv categories that imply the domain.
    url: URIRef  # URL of a code repository.
    arxivCategory: URIRef  # An arXiv category that is evidence for this domain.
    arxivCategoryWeak: URIRef  # An arXiv category that is weak evidence for this domain.

    # derived-statement properties
    paperCount: URIRef  # Distinct papers behind a derived statement.
    firstYear: URIRef  # Year of the earliest of those papers.
    lastYear: URIRef  # Year of the latest of those papers.
