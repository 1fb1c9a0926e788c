"""Exporters: the same graph to Neo4j (Bolt, neo4j-admin CSV), FalkorDB and RDF."""
