// most_connected: Which concepts are the most connected?
// Parameters: none.
// Columns: type, name, degree, papers
//   type   - the label of a node that is not a Paper (Method, Dataset, Task, Domain,
//            Author, CodeRepository); name - its name
//   degree - its relationships of any type, in either direction
//   papers - distinct papers linked to it directly
// Order: degree desc, type, name; the top 25.
MATCH (n)
WHERE NOT n:Paper
WITH n, COUNT { (n)--() } AS degree, COUNT { MATCH (p:Paper)-->(n) RETURN DISTINCT p } AS papers
RETURN labels(n)[0] AS type, n.name AS name, degree, papers
ORDER BY degree DESC, type, name, n.id
LIMIT 25;
