// methods_by_domain: Which methods are used most in each top-level domain?
// Parameters: none.
// Columns: domain, method, papers
//   domain  - name of a top-level domain (a Domain with no BROADER domain)
//   method  - method name
//   papers  - distinct papers that PROPOSE or USE the method and are IN_DOMAIN the domain
//             or a narrower one (BROADER*0..)
// Order: domain, papers desc, method; the top 10 methods of each domain.
MATCH (top:Domain)
WHERE NOT (top)-[:BROADER]->(:Domain)
MATCH (p:Paper)-[:IN_DOMAIN]->(:Domain)-[:BROADER*0..]->(top)
MATCH (p)-[:PROPOSES|USES]->(m:Method)
WITH top, m, count(DISTINCT p) AS papers
ORDER BY top.name, papers DESC, m.name
WITH top, collect({method: m.name, papers: papers})[..10] AS ranked
UNWIND ranked AS r
RETURN top.name AS domain, r.method AS method, r.papers AS papers
ORDER BY domain, papers DESC, method;
