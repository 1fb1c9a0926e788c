// most_connected, FalkorDB form (FalkorDB 4.16 has no COUNT { } subqueries): the same
// question, columns and order as most_connected.cypher, which is the one to use on Neo4j.
MATCH (n)
WHERE NOT n:Paper
OPTIONAL MATCH (n)-[r]-()
WITH n, count(r) AS degree
OPTIONAL MATCH (p:Paper)-->(n)
WITH n, degree, count(DISTINCT p) AS papers
RETURN labels(n)[0] AS type, n.name AS name, degree, papers
ORDER BY degree DESC, type, name, n.id
LIMIT 25;
