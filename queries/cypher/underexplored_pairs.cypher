// underexplored_pairs: Which widely used methods have not reached a domain yet?
// Parameters: none.
// Columns: method, method_papers, domain, domain_papers
//   A method already APPLIED_IN at least two top-level domains, paired with a top-level
//   domain (a Domain with no BROADER domain, with papers) it is not APPLIED_IN: a candidate
//   transfer.
//   method_papers - distinct papers that PROPOSE or USE the method
//   domain_papers - distinct papers IN_DOMAIN the domain or a narrower one (BROADER*0..)
//   Pairs rank by method_papers * domain_papers: a popular method missing from a big field.
// Order: method_papers * domain_papers desc, method, domain; the top 25 pairs.
MATCH (top:Domain)
WHERE NOT (top)-[:BROADER]->(:Domain)
MATCH (q:Paper)-[:IN_DOMAIN]->(:Domain)-[:BROADER*0..]->(top)
WITH top, count(DISTINCT q) AS domain_papers
MATCH (m:Method)-[:APPLIED_IN]->(:Domain)
WITH top, domain_papers, m, count(*) AS reached
WHERE reached >= 2
// a separate WITH: FalkorDB 4.16 fails on a comparison AND-ed with a pattern predicate here
WITH top, domain_papers, m
WHERE NOT (m)-[:APPLIED_IN]->(top)
MATCH (p:Paper)-[:PROPOSES|USES]->(m)
WITH top, domain_papers, m, count(DISTINCT p) AS method_papers
RETURN m.name AS method, method_papers, top.name AS domain, domain_papers
ORDER BY method_papers * domain_papers DESC, method, domain, m.id
LIMIT 25;
