// domain_overview: How many papers per domain, with the broader domain?
// Parameters: none.
// Columns: domain, broader, papers
//   domain  - domain name (domains with at least one paper)
//   broader - name of its BROADER domain; null for a top-level domain
//   papers  - distinct papers directly IN_DOMAIN the domain
// Order: papers desc, domain.
MATCH (p:Paper)-[:IN_DOMAIN]->(d:Domain)
WITH d, count(DISTINCT p) AS papers
OPTIONAL MATCH (d)-[:BROADER]->(b:Domain)
RETURN d.name AS domain, b.name AS broader, papers
ORDER BY papers DESC, domain;
