MATCH (p:Problem)-[:RAISED_IN]->(:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
RETURN p.category AS category, count(DISTINCT o) AS organizations, count(p) AS problems
ORDER BY organizations DESC, problems DESC, category
