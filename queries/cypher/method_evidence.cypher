// method_evidence: Where is a method mentioned, with evidence?
// Parameters: $method - a Method id, e.g. 'method/transformer'
//   (Neo4j Browser: :param method => 'method/transformer')
// Columns: paper, title, relation, sentence, rule, confidence
//   paper      - the Paper id
//   title      - its title
//   relation   - PROPOSES or USES
//   sentence   - the evidence sentence; rule and confidence - the rule that found it and
//                its confidence
// Order: paper, relation.
MATCH (p:Paper)-[r:PROPOSES|USES]->(m:Method {id: $method})
RETURN p.id AS paper, p.title AS title, type(r) AS relation, r.sentence AS sentence,
       r.rule AS rule, r.confidence AS confidence
ORDER BY paper, relation;
