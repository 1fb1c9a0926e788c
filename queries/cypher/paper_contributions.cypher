// paper_contributions: What does a paper propose, use, introduce and evaluate on?
// Parameters: $paper - a Paper id, e.g. 'paper/arxiv-2106.15928'
//   (Neo4j Browser: :param paper => 'paper/arxiv-2106.15928')
// Columns: relation, type, name, sentence
//   relation - PROPOSES, USES, INTRODUCES or EVALUATES_ON
//   type     - the label of the method or dataset (Method, Dataset)
//   name     - its name
//   sentence - the evidence sentence of the relationship
// Order: relation, name.
MATCH (p:Paper {id: $paper})-[r:PROPOSES|USES|INTRODUCES|EVALUATES_ON]->(x)
RETURN type(r) AS relation, labels(x)[0] AS type, x.name AS name, r.sentence AS sentence
ORDER BY relation, name;
