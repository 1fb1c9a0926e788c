// method_crossovers: Which methods crossed from one field into another?
// Parameters: none.
// Columns: method, from_domain, from_year, to_domain, to_year
//   A method APPLIED_IN two top-level domains, with the first year it appears in each
//   (APPLIED_IN.first_year); "from" is the domain where it appeared strictly earlier.
//   Pairs with equal first years, or where either first year is unknown, are left out.
// Order: method, from_domain, to_domain.
MATCH (m:Method)-[a:APPLIED_IN]->(d1:Domain), (m)-[b:APPLIED_IN]->(d2:Domain)
WHERE a.first_year < b.first_year
RETURN m.name AS method, d1.name AS from_domain, a.first_year AS from_year,
       d2.name AS to_domain, b.first_year AS to_year
ORDER BY method, from_domain, to_domain;
