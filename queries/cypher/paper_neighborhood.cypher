// paper_neighborhood: Everything a paper is linked to, with the evidence.
// Parameters: $paper - a Paper id, e.g. 'paper/arxiv-2106.15928'
//   (Neo4j Browser: :param paper => 'paper/arxiv-2106.15928')
// Columns: relation, type, id, name, sentence, field, rule, confidence
//   relation - the relationship type (PROPOSES, USES, COMPARES_WITH, INTRODUCES,
//              EVALUATES_ON, ADDRESSES, IN_DOMAIN, HAS_CODE, AUTHORED_BY)
//   type     - the label of the node it points to; id, name - that node's id and name
//   sentence, field, rule, confidence - the evidence of the relationship: the sentence,
//              the field it is in (title, abstract, ...), the rule that found it and its
//              confidence (null for AUTHORED_BY, which has no evidence)
// Order: relation, id.
MATCH (p:Paper {id: $paper})-[r]->(x)
RETURN type(r) AS relation, labels(x)[0] AS type, x.id AS id, x.name AS name,
       r.sentence AS sentence, r.field AS field, r.rule AS rule, r.confidence AS confidence
ORDER BY relation, id;
