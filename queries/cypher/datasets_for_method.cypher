// datasets_for_method: Which datasets is a method evaluated on?
// Parameters: $method - a Method id, e.g. 'method/transformer'
//   (Neo4j Browser: :param method => 'method/transformer')
// Columns: dataset, papers
//   dataset - dataset name
//   papers  - distinct papers that PROPOSE or USE the method and EVALUATE_ON or INTRODUCE
//             the dataset
// Order: papers desc, dataset.
MATCH (m:Method {id: $method})<-[:PROPOSES|USES]-(p:Paper)-[:EVALUATES_ON|INTRODUCES]->(d:Dataset)
RETURN d.name AS dataset, count(DISTINCT p) AS papers
ORDER BY papers DESC, dataset;
