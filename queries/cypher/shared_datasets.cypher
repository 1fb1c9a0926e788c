// shared_datasets: Which datasets are shared across domains?
// Parameters: none.
// Columns: dataset, domains, papers
//   dataset - the name of a Dataset that papers of at least two top-level domains
//             EVALUATE_ON or INTRODUCE (a paper counts for a top-level domain when it is
//             IN_DOMAIN that domain or a narrower one, BROADER*0..)
//   domains - the number of those top-level domains
//   papers  - distinct papers that EVALUATE_ON or INTRODUCE the dataset
// Order: domains desc, papers desc, dataset.
MATCH (top:Domain)
WHERE NOT (top)-[:BROADER]->(:Domain)
MATCH (d:Dataset)<-[:EVALUATES_ON|INTRODUCES]-(:Paper)-[:IN_DOMAIN]->(:Domain)-[:BROADER*0..]->(top)
WITH d, count(DISTINCT top) AS domains
WHERE domains >= 2
MATCH (d)<-[:EVALUATES_ON|INTRODUCES]-(p:Paper)
RETURN d.name AS dataset, domains, count(DISTINCT p) AS papers
ORDER BY domains DESC, papers DESC, dataset;
