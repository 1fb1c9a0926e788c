// papers_for_task: Which papers propose methods for a task?
// Parameters: $task - a Task id, e.g. 'task/image-classification'
//   (Neo4j Browser: :param task => 'task/image-classification')
// Columns: paper, title, year, method
//   paper  - the id of a Paper that ADDRESSES the task and PROPOSES a method
//   title  - its title; year - its year (null when unknown)
//   method - the name of the method it proposes (one row per paper and method)
// Order: paper, method.
MATCH (t:Task {id: $task})<-[:ADDRESSES]-(p:Paper)-[:PROPOSES]->(m:Method)
RETURN p.id AS paper, p.title AS title, p.year AS year, m.name AS method
ORDER BY paper, method, m.id;
