// shortest_path: How are two concepts connected?
// Parameters: $source, $target - two node ids (any label), e.g. 'method/transformer' and
//   'task/image-classification' (Neo4j Browser: :param source => 'method/transformer')
// Columns: hops, path
//   Every shortest path of at most 3 relationships between the two, of any type and in
//   either direction; one row per distinct sequence of nodes.
//   hops - the number of relationships on it
//   path - the ids of its nodes from source to target, joined by ' - '
//   No rows when the two are more than 3 relationships apart.
// Order: path.
MATCH (a {id: $source})
MATCH (b {id: $target})
WITH a, b
MATCH p = allShortestPaths((a)-[*..3]-(b))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids
RETURN size(ids) - 1 AS hops, reduce(s = head(ids), id IN tail(ids) | s + ' - ' + id) AS path
ORDER BY path;
