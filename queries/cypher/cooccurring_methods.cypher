// cooccurring_methods: Which methods are used together most often?
// Parameters: none.
// Columns: method_a, method_b, papers
//   method_a, method_b - names of two methods that one paper PROPOSES or USES (method_a is
//                        the one whose name sorts first; on equal names, the lower id)
//   papers             - distinct papers that PROPOSE or USE both
// Order: papers desc, method_a, method_b; the top 25 pairs.
MATCH (a:Method)<-[:PROPOSES|USES]-(p:Paper)-[:PROPOSES|USES]->(b:Method)
WHERE a.name < b.name OR (a.name = b.name AND a.id < b.id)
WITH a, b, count(DISTINCT p) AS papers
RETURN a.name AS method_a, b.name AS method_b, papers
ORDER BY papers DESC, method_a, method_b, a.id, b.id
LIMIT 25;
