// method_spread: Into which domains did a method spread, and when?
// Parameters: $method - a Method id, e.g. 'method/transformer'
//   (Neo4j Browser: :param method => 'method/transformer')
// Columns: domain, first_year, last_year, papers
//   domain     - a top-level domain the method is APPLIED_IN
//   first_year - the year of its first paper there (null when no paper there has a year)
//   last_year  - the year of its latest paper there (null likewise)
//   papers     - papers there that PROPOSE or USE it (APPLIED_IN.paper_count)
// Order: first_year (unknown last), domain.
MATCH (m:Method {id: $method})-[a:APPLIED_IN]->(d:Domain)
RETURN d.name AS domain, a.first_year AS first_year, a.last_year AS last_year,
       a.paper_count AS papers
ORDER BY first_year, domain;
