// top_tasks: Which tasks are addressed most?
// Parameters: none.
// Columns: task, papers
//   task   - task name
//   papers - distinct papers that ADDRESS the task
// Order: papers desc, task; the top 25.
MATCH (p:Paper)-[:ADDRESSES]->(t:Task)
RETURN t.name AS task, count(DISTINCT p) AS papers
ORDER BY papers DESC, task
LIMIT 25;
