"""Writers and query engines: embedded (LadybugDB), neo4j, neo4j_files, rdf, files.

A backend knows the graph model (kg.graph), never an extractor; each imports its
database library itself, so that the core and the CLI start without them.
"""
