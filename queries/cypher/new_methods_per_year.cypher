// new_methods_per_year: How many new methods appear each year?
// Parameters: none.
// Columns: year, new_methods, proposed
//   year        - a publication year
//   new_methods - methods whose first paper (the earliest Paper with a year that PROPOSES
//                 or USES them) is from that year
//   proposed    - how many of those a paper of that year PROPOSES (not only uses)
// Order: year.
MATCH (p:Paper)-[:PROPOSES|USES]->(m:Method)
WHERE p.year IS NOT NULL
WITH m, min(p.year) AS year
OPTIONAL MATCH (q:Paper)-[:PROPOSES]->(m)
WHERE q.year = year
WITH year, m, count(q) AS proposals
RETURN year, count(m) AS new_methods, count(CASE WHEN proposals > 0 THEN m END) AS proposed
ORDER BY year;
